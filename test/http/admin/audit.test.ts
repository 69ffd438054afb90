/**
 * Back office, the audit log (issue 9): the searchable list (every staff role), newest first and
 * paged, its filters checked (a bad date is a 400 that says how to write one), and the CSV export
 * (admins only) with the same filters, quoted so a spreadsheet never runs a cell as a formula, and
 * itself written to the audit log.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AuditLine,
  auditCsv,
  listAudit,
  recordAudit,
  type StaffActor,
} from "../../../src/modules/staff/audit-log.js";
import { at } from "../../support/engine-fixture.js";
import { createHttpFixture, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

const ALICE: StaffActor = { id: "staff-a", email: "alice@staff.test", role: "support", address: "192.0.2.1" };
const BRUNO: StaffActor = { id: "staff-b", email: "bruno@staff.test", role: "billing", address: "192.0.2.2" };

async function staffClient(f: HttpFixture, role: "admin" | "billing" | "support", locale?: "fr-CA" | "en") {
  const staff = await f.addStaffMember(role, locale ? { locale, email: `${role}.${locale}@staff.test` } : {});
  const client = f.client();
  expect((await client.staffLogin(staff.email)).statusCode).toBe(303);
  return client;
}

/** The actions in the table, in page order (the test's own sign-ins left out). */
function actionsOn(body: string): string[] {
  return [...body.matchAll(/data-label="Action"><code>([^<]+)<\/code>/g)]
    .map((m) => m[1] ?? "")
    .filter((action) => action !== "staff.signed-in");
}

describe.each(DIALECTS)("back office: the audit log (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    const db = f.deps.db;
    await recordAudit(db, ALICE, at("2022-03-01T10:00:00Z"), {
      action: "domain.grace-extended",
      objectType: "domain",
      objectId: "d1",
      customerId: "c1",
      reason: "Owner in hospital",
      before: { grace_extension_days: 0 },
      after: { grace_extension_days: 10 },
    });
    await recordAudit(db, BRUNO, at("2022-03-05T23:59:00Z"), {
      action: "domain.restore-fee-waived",
      objectType: "domain",
      objectId: "g1",
      customerId: "c2",
      reason: "Goodwill, ticket 12",
    });
    await recordAudit(db, ALICE, at("2022-03-10T08:00:00Z"), {
      action: "invoice.voided",
      objectType: "invoice",
      objectId: "41",
      customerId: "c1",
      reason: "Duplicate",
    });
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("every staff role reads it, newest first; a visitor is sent to sign in", async () => {
    const visitor = await f.client().get("/admin/audit?q=x");
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(`/admin/login?next=${encodeURIComponent("/admin/audit?q=x")}`);
    for (const role of ["admin", "billing", "support"] as const) {
      const page = await (await staffClient(f, role)).get("/admin/audit");
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("The audit log cannot be edited or deleted, by anyone.");
      expect(actionsOn(page.body)).toEqual([
        "invoice.voided",
        "domain.restore-fee-waived",
        "domain.grace-extended",
      ]);
      expect(page.body).toContain("grace_extension_days: 0 → 10");
      // Only an admin is offered the export.
      expect(page.body.includes('href="/admin/audit.csv"')).toBe(role === "admin");
    }
  });

  it("filters: free text, staff, object type or type:id, UTC days with the end excluded", async () => {
    const client = await staffClient(f, "support");
    const of = async (query: string) => {
      const page = await client.get(`/admin/audit?${query}`);
      expect(page.statusCode, query).toBe(200);
      return actionsOn(page.body);
    };
    expect(await of("q=HOSPITAL")).toEqual(["domain.grace-extended"]);
    expect(await of("q=c2")).toEqual(["domain.restore-fee-waived"]);
    // LIKE wildcards are text: "%" matches no line here.
    expect(await of("q=%25")).toEqual([]);
    expect(await of("staff=Alice%40staff.test")).toEqual(["invoice.voided", "domain.grace-extended"]);
    expect(await of("object=domain")).toEqual(["domain.restore-fee-waived", "domain.grace-extended"]);
    expect(await of("object=domain%3Ag1")).toEqual(["domain.restore-fee-waived"]);
    expect(await of("from=2022-03-05&to=2022-03-06")).toEqual(["domain.restore-fee-waived"]);
    expect(await of("from=2022-03-06")).toEqual(["invoice.voided"]);
    expect(await of("to=2022-03-05")).toEqual(["domain.grace-extended"]);
    expect(await of("q=domain&staff=bruno%40staff.test&from=2022-03-01&to=2022-03-31")).toEqual([
      "domain.restore-fee-waived",
    ]);
    // The filters stay in the form.
    expect((await client.get("/admin/audit?q=hospital")).body).toContain('value="hospital"');
  });

  it("bad filters are a 400 that says what is wrong, in the staff member's language", async () => {
    const client = await staffClient(f, "billing");
    const cases: [string, string][] = [
      ["from=2022-13-01", "Dates are written YYYY-MM-DD."],
      ["from=2022-02-30", "Dates are written YYYY-MM-DD."],
      ["to=yesterday", "Dates are written YYYY-MM-DD."],
      ["from=2022-03-10&to=2022-03-01", "The start date must come before the end date."],
      ["staff=not-an-email", "Enter a staff member"],
      ["object=Domain!", "Write the object as a type"],
      ["before=abc", "This page link is not valid."],
      [`q=${"x".repeat(201)}`, "The search is too long"],
    ];
    for (const [query, message] of cases) {
      const page = await client.get(`/admin/audit?${query}`);
      expect(page.statusCode, query).toBe(400);
      expect(page.body, query).toContain(message);
      expect(actionsOn(page.body)).toEqual([]);
    }
    const fr = await (await staffClient(f, "support", "fr-CA")).get("/admin/audit?from=20220301");
    expect(fr.statusCode).toBe(400);
    expect(fr.body).toContain("AAAA-MM-JJ.");
  });

  it("pages of 50, newest first, by line id: older lines, then the newest again", async () => {
    for (let i = 0; i < 117; i++) {
      await recordAudit(f.deps.db, BRUNO, at("2022-03-15T00:00:00Z") + i * 1000, {
        action: `test.step-${i}`,
        objectType: "test",
        objectId: String(i),
        customerId: null,
      });
    }
    const client = await staffClient(f, "support");
    const first = await client.get("/admin/audit?object=test");
    const firstActions = actionsOn(first.body);
    expect(firstActions).toHaveLength(50);
    expect(firstActions[0]).toBe("test.step-116");
    expect(firstActions[49]).toBe("test.step-67");
    const next = /href="(\/admin\/audit\?[^"]*before=\d+)" rel="next"/
      .exec(first.body)?.[1]
      ?.replace(/&amp;/g, "&");
    expect(next).toContain("object=test");
    const second = await client.get(next ?? "");
    expect(actionsOn(second.body)[0]).toBe("test.step-66");
    expect(second.body).toContain("Newest lines");
    const last = /href="(\/admin\/audit\?[^"]*before=\d+)" rel="next"/
      .exec(second.body)?.[1]
      ?.replace(/&amp;/g, "&");
    const third = await client.get(last ?? "");
    expect(actionsOn(third.body)).toHaveLength(17);
    expect(actionsOn(third.body).at(-1)).toBe("test.step-0");
    expect(third.body).not.toContain('rel="next"');
  });

  it("CSV: admins only, the same filters, a dated attachment, and the export is audited", async () => {
    for (const role of ["billing", "support"] as const) {
      const refused = await (await staffClient(f, role)).get("/admin/audit.csv");
      expect(refused.statusCode).toBe(403);
    }
    expect((await f.client().get("/admin/audit.csv")).statusCode).toBe(303);
    const admin = await staffClient(f, "admin");
    const csv = await admin.get("/admin/audit.csv?object=domain&from=2022-03-01&to=2022-03-06");
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.headers["content-disposition"]).toBe('attachment; filename="audit-log-2022-03-20.csv"');
    const rows = csv.body.trimEnd().split("\r\n");
    expect(rows[0]).toBe(
      "id,at,staff,role,action,object_type,object_id,customer,reason,before,after,client_address",
    );
    expect(rows.slice(1).map((r) => r.split(",")[4])).toEqual([
      "domain.restore-fee-waived",
      "domain.grace-extended",
    ]);
    expect(rows[2]).toContain(
      "2022-03-01T10:00:00.000Z,alice@staff.test,support,domain.grace-extended,domain,d1,c1,Owner in hospital",
    );

    const bad = await admin.get("/admin/audit.csv?from=2022-3-1");
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Dates are written YYYY-MM-DD.");

    const [exported] = await listAudit(f.deps.db, { objectType: "audit" });
    expect(exported).toMatchObject({
      action: "audit.exported",
      staffEmail: "admin@staff.test",
      role: "admin",
      after: { object: "domain", from: "2022-03-01", to: "2022-03-06", lines: 2, truncated: false },
    });
    // Only the export that ran is recorded, not the refused one.
    expect(await listAudit(f.deps.db, { objectType: "audit" })).toHaveLength(1);
  });

  it("CSV cells never start a formula: = + - @ tab and CR are quoted as text", async () => {
    const hostile = [
      '=HYPERLINK("http://evil.example","click")',
      "+1+1",
      "-2+3",
      "@SUM(A1:A9)",
      "\t=1",
      "\r=1",
      'plain, with "quotes"',
    ];
    for (const [i, reason] of hostile.entries()) {
      await recordAudit(f.deps.db, ALICE, at("2022-03-18T00:00:00Z") + i, {
        action: "test.hostile",
        objectType: "test",
        objectId: String(i),
        customerId: "=cmd|' /C calc'!A0",
        reason,
      });
    }
    const admin = await staffClient(f, "admin");
    const body = (await admin.get("/admin/audit.csv?object=test")).body;
    expect(body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(body).toContain(",'+1+1,");
    expect(body).toContain(",'-2+3,");
    expect(body).toContain(",'@SUM(A1:A9),");
    expect(body).toContain(",'\t=1,");
    expect(body).toContain(`,"'\r=1",`);
    expect(body).toContain(`,"plain, with ""quotes""",`);
    expect(body).toContain(",'=cmd|' /C calc'!A0,");
    // No cell of any row begins with a formula character once split as a spreadsheet would.
    const cells = parseCsv(body).flat();
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
  });
});

describe("auditCsv", () => {
  const line = (o: Partial<AuditLine>): AuditLine => ({
    id: 1,
    at: at("2022-03-01T10:00:00Z"),
    staffId: "s",
    staffEmail: "a@staff.test",
    role: "admin",
    action: "x",
    objectType: "domain",
    objectId: "d1",
    customerId: null,
    reason: "",
    before: {},
    after: {},
    clientAddress: "",
    ...o,
  });

  it("a header and one CRLF-ended row per line; before/after as JSON, quoted", () => {
    const csv = auditCsv([line({ before: { a: 1 }, after: { a: 2, b: "x" } })]);
    expect(csv).toBe(
      'id,at,staff,role,action,object_type,object_id,customer,reason,before,after,client_address\r\n1,2022-03-01T10:00:00.000Z,a@staff.test,admin,x,domain,d1,,,"{""a"":1}","{""a"":2,""b"":""x""}",\r\n',
    );
  });

  it("a reason with a newline stays one cell", () => {
    const rows = parseCsv(auditCsv([line({ reason: "two\nlines" })]));
    expect(rows[1]?.[8]).toBe("two\nlines");
  });
});

/** A minimal RFC 4180 reader, as a spreadsheet reads the file. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return rows;
}
