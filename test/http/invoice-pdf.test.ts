/**
 * The invoice PDF read back as text (issue 12): the seller's identity and tax numbers, the lines
 * worded in the customer's language (issue 11), the totals, in French and in English.
 */
import { inflateSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { at } from "../support/engine-fixture.js";
import { createHttpFixture, type HttpFixture } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

const NBSP = "\u00a0";

/** The text runs a PDF draws (pdfkit's compressed content streams, Windows-1252 hex strings). */
function pdfText(pdf: Buffer): string[] {
  const raw = pdf.toString("latin1");
  const cp1252: Record<number, string> = { 128: "€", 133: "…", 145: "‘", 146: "’", 147: "“", 148: "”" };
  Object.assign(cp1252, { 149: "•", 150: "–", 151: "—" });
  const decode = (bytes: Buffer) => [...bytes].map((b) => cp1252[b] ?? String.fromCharCode(b)).join("");
  const lines: string[] = [];
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const stream = pdf.subarray(start, raw.indexOf("endstream", start));
    if (stream[0] !== 0x78) continue;
    const content = inflateSync(stream).toString("latin1");
    for (const array of content.matchAll(/\[([^\]]*)\] TJ/g)) {
      const hex = [...(array[1] ?? "").matchAll(/<([0-9a-f]*)>/g)].map((h) => h[1]).join("");
      lines.push(decode(Buffer.from(hex, "hex")));
    }
  }
  return lines;
}

describe.each(DIALECTS)("the invoice PDF, read back (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  async function invoicePdf(locale: "fr-CA" | "en"): Promise<{ id: number; text: string[] }> {
    await f.addLogin("c1", "ok", locale);
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await f.deps.db
      .updateTable("services")
      .set({ name_en: "Web hosting", name_fr: "Hébergement Web" })
      .execute();
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    f.clock.set(at("2022-04-02T09:00:00Z"));
    const { id } = await f.deps.db.selectFrom("invoices").select("id").executeTakeFirstOrThrow();
    const client = f.client();
    expect((await client.login("c1@example.test")).statusCode).toBe(303);
    const response = await client.get(`/invoices/${id}/pdf`);
    expect(response.statusCode).toBe(200);
    return { id, text: pdfText(response.rawPayload) };
  }

  it("in French: the seller, its TPS and TVQ numbers, the line in French, the totals", async () => {
    const { id, text } = await invoicePdf("fr-CA");
    for (const line of [
      "Hébergement Boréal inc.",
      "1200, rue Saint-Jean, bureau 300",
      "TPS/GST 812345678 RT0001",
      "TVQ/QST 1234567890 TQ0001",
      "soutien@boreal-web.example",
      `Facture nº${NBSP}${id}`,
      "Hébergement Web — annuel",
      "Total",
      "Solde à payer",
      `192,00${NBSP}$${NBSP}US`,
    ])
      expect(text, line).toContain(line);
    expect(text.join("\n")).not.toContain("yearly");
  });

  it("in English: the same seller, the line in English, the totals", async () => {
    const { id, text } = await invoicePdf("en");
    for (const line of [
      "Hébergement Boréal inc.",
      "TPS/GST 812345678 RT0001",
      "TVQ/QST 1234567890 TQ0001",
      `Invoice #${id}`,
      "Web hosting — yearly",
      "Balance due",
      "$192.00",
    ])
      expect(text, line).toContain(line);
  });
});
