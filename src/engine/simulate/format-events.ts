/** The two output formats of `tenure simulate`: one JSON object per line, or a readable table. */

import { formatRate } from "../../domain/taxes.js";
import { formatInstant } from "../../domain/time.js";
import type { StoredEvent } from "../../modules/events/record-event.js";

/** `{"at": ISO, "type", "service", "customer", ...details}` — the catalog's wire shape. */
export function toWireEvent(event: StoredEvent): Record<string, unknown> {
  return {
    at: formatInstant(event.at),
    type: event.type,
    ...(event.service ? { service: event.service } : {}),
    ...(event.customer ? { customer: event.customer } : {}),
    ...(event.details as object),
  };
}

export function formatJsonLines(events: StoredEvent[]): string {
  return events.map((e) => JSON.stringify(toWireEvent(e))).join("\n") + (events.length > 0 ? "\n" : "");
}

function summarize(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (key === "name" || key === "to" || key === "locale") continue;
    if (key === "taxes" && Array.isArray(value)) {
      // `taxes=TPS 5%:9.60,TVQ 9.975%:19.15` (rates are parts per 100,000).
      const taxes = value as { name: string; rate: number; amount: { amount: number } }[];
      if (taxes.length > 0)
        parts.push(
          `taxes=${taxes.map((t) => `${t.name} ${formatRate(t.rate)}:${(t.amount.amount / 100).toFixed(2)}`).join(",")}`,
        );
      continue;
    }
    if (value && typeof value === "object" && "amount" in value && "currency" in value) {
      const m = value as { amount: number; currency: string };
      parts.push(`${key}=${(m.amount / 100).toFixed(2)} ${m.currency}`);
    } else {
      parts.push(
        `${key}=${typeof value === "string" ? value.replace(/T00:00:00\.000Z$/, "") : JSON.stringify(value)}`,
      );
    }
  }
  return parts.join(" ");
}

export function formatTable(events: StoredEvent[]): string {
  const rows = events.map((e) => [
    formatInstant(e.at).slice(0, 16).replace("T", " "),
    e.type,
    e.service ?? "",
    summarize(e.details as Record<string, unknown>),
  ]);
  const header = ["at (UTC)", "event", "service", "details"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")}\n`;
}
