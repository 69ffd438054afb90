/**
 * Hostile input on the JSON API: random path ids, query strings and JSON bodies on every route
 * (read from the route table, so a route added tomorrow is fuzzed too). Never a 500; every refusal
 * is problem+json.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES } from "../../../src/http/api/api.js";
import { API_SCOPES, createApiKey } from "../../../src/modules/api-keys/api-keys.js";
import { createTwoCustomers, type TwoCustomers } from "../../support/two-customers.js";

describe("JSON API under hostile input (sqlite)", () => {
  let w: TwoCustomers;
  let key = "";

  beforeAll(async () => {
    w = await createTwoCustomers("sqlite");
    key = (
      await createApiKey(
        w.f.deps.db,
        { name: "fuzz", scopes: [...API_SCOPES], createdBy: "test" },
        w.f.clock.now(),
      )
    ).key;
  });
  afterAll(() => w.f.dispose());

  const id = fc.oneof(
    fc.constantFrom(
      "a-host",
      "a-dom",
      "b-dom",
      "1",
      "0",
      "-1",
      "1e3",
      "99999999999999999999",
      "%00",
      "%E2%80%AE",
      "..%2F",
    ),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
  );
  const queryValue = fc.oneof(
    fc.constantFrom("", "0", "101", "-5", "abc", "2022-01-01T00:00:00Z", "not-a-date", "a-host", "%00"),
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
  );
  const queryName = fc.constantFrom(
    "limit",
    "starting_after",
    "ending_before",
    "customer",
    "status",
    "created_gte",
    "days",
    "x",
  );

  it("never answers a 500, and every refusal is problem+json", async () => {
    for (const route of API_ROUTES) {
      await fc.assert(
        fc.asyncProperty(
          id,
          fc.array(fc.tuple(queryName, queryValue), { maxLength: 4 }),
          fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant({ when: "immediate", reason: 7 })),
          async (pathId, query, body) => {
            const path = route.path.replace(/\{[A-Za-z_]+\}/g, pathId);
            const qs = query.map(([k, v]) => `${k}=${v}`).join("&");
            const response = await w.f.app.inject({
              method: route.method,
              url: `/api/v1${path}${qs ? `?${qs}` : ""}`,
              headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
              ...(route.method === "POST" ? { payload: JSON.stringify(body) } : {}),
            });
            expect(
              response.statusCode,
              `${route.method} ${path}?${qs}: ${response.body.slice(0, 200)}`,
            ).toBeLessThan(500);
            if (response.statusCode >= 400)
              expect(response.headers["content-type"]).toContain("application/problem+json");
          },
        ),
        { numRuns: 12, seed: 13 },
      );
    }
  }, 120_000);
});
