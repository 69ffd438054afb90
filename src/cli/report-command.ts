/**
 * `tenure report taxes|revenue --from YYYY-MM-DD --to YYYY-MM-DD`: CSV on stdout for the
 * accountant (docs/taxes.md, "Reports"); `tenure numbering bump --series invoice|credit-note --to N`:
 * moves a document counter forward after restoring an older backup ("Numbering and restores").
 * A bad date, series or number is exit 2 with one line, checked before any database is opened.
 */
import { DOCUMENT_SERIES, type DocumentSeries } from "../domain/numbering.js";
import type { Deps } from "../modules/deps.js";
import { bumpDocumentSeries, nextDocumentNumber } from "../modules/invoices/document-numbers.js";
import {
  parseReportPeriod,
  type ReportPeriod,
  revenueReport,
  revenueReportCsv,
  taxReport,
  taxReportCsv,
} from "../modules/invoices/reports.js";
import { type CommandIo, InputError, UsageError } from "./command-io.js";

export const REPORT_USAGE = `tenure report taxes --from YYYY-MM-DD --to YYYY-MM-DD
tenure report revenue --from YYYY-MM-DD --to YYYY-MM-DD`;

export const NUMBERING_USAGE = `tenure numbering show
tenure numbering bump --series ${DOCUMENT_SERIES.join("|")} --to N`;

export interface ReportCall {
  kind: "taxes" | "revenue";
  period: ReportPeriod;
}

export function checkReportCall(
  rest: string[],
  from: string | undefined,
  to: string | undefined,
): ReportCall {
  const [kind] = rest;
  if (kind !== "taxes" && kind !== "revenue")
    throw new UsageError(`report: expected taxes or revenue\n${REPORT_USAGE}`);
  const period = parseReportPeriod(from, to);
  if (!period.ok) throw new InputError(`report ${kind}: ${period.error}`);
  return { kind, period: period.period };
}

export async function reportCommand(deps: Deps, call: ReportCall, io: CommandIo): Promise<number> {
  if (call.kind === "taxes") io.out(taxReportCsv(await taxReport(deps.db, call.period)));
  else io.out(revenueReportCsv(await revenueReport(deps.db, call.period)));
  return 0;
}

export type NumberingCall = { action: "show" } | { action: "bump"; series: DocumentSeries; to: number };

export function checkNumberingCall(
  rest: string[],
  series: string | undefined,
  to: string | undefined,
): NumberingCall {
  const [action] = rest;
  if (action === "show") return { action };
  if (action !== "bump") throw new UsageError(`numbering: expected show or bump\n${NUMBERING_USAGE}`);
  if (!DOCUMENT_SERIES.includes(series as DocumentSeries))
    throw new InputError(
      `numbering bump: --series must be ${DOCUMENT_SERIES.join(" or ")} (got "${series ?? ""}")`,
    );
  if (to === undefined || !/^\d{1,12}$/.test(to) || Number(to) < 1)
    throw new InputError(
      `numbering bump: --to must be the next number to give, a whole number (got "${to ?? ""}")`,
    );
  return { action, series: series as DocumentSeries, to: Number(to) };
}

export async function numberingCommand(deps: Deps, call: NumberingCall, io: CommandIo): Promise<number> {
  if (call.action === "show") {
    const next: Record<string, number> = {};
    for (const series of DOCUMENT_SERIES) next[series] = await nextDocumentNumber(deps.db, series);
    io.out(`${JSON.stringify({ next })}\n`);
    return 0;
  }
  const result = await bumpDocumentSeries(deps.db, call.series, call.to);
  if (!result.ok) {
    io.err(
      `tenure: numbering bump: the ${call.series} counter is already at ${result.next}; ` +
        `it only moves forward (a number is never given twice)\n`,
    );
    return 1;
  }
  io.out(`${JSON.stringify({ series: result.series, from: result.from, next: result.to })}\n`);
  return 0;
}
