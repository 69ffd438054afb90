/**
 * Seed 004, the first weeks of a domain registered 2021-04-15 14:00 UTC: the owner must verify the
 * contact e-mail within 15 days or the domain is suspended (2021-04-30), and it cannot be
 * transferred out during the 60 days after registration (transferable from 2021-06-15).
 */
import { describe, expect, it } from "vitest";
import { DIALECTS } from "../support/stores.js";
import { eventsOf, noticesOf, story, timelineOf } from "./story.js";

const REGISTERED = "2021-04-15T14:00:00Z";

function scenario(options: { emailVerified: boolean; actions: unknown[] }) {
  return {
    start: REGISTERED,
    until: "2021-07-01T00:00:00Z",
    customers: [{ id: "c1", locale: "en", currency: "USD", card: "ok" }],
    services: [
      {
        id: "d1",
        customer: "c1",
        kind: "domain",
        name: "example.com",
        registrar: "squarespace-domains",
        registeredAt: REGISTERED,
        renewalPrice: 2000,
        emailVerified: options.emailVerified,
      },
    ],
    actions: options.actions,
  };
}

const verify = (at: string) => ({ at, do: "verify-email", service: "d1" });
const transfer = (at: string) => ({ at, do: "request-transfer-out", service: "d1" });

describe.each(DIALECTS)("domain e-mail verification and transfer lock (%s)", (dialect) => {
  it("2021-04-30: unverified after 15 days, the domain is suspended; verified 2021-05-10, it is lifted", async () => {
    const { events, registrar, statuses } = await story(
      dialect,
      scenario({ emailVerified: false, actions: [verify("2021-05-10T09:00:00Z")] }),
    );
    expect(noticesOf(events, "d1")).toEqual([
      "2021-04-15 verification-required",
      "2021-04-30 domain-suspended",
    ]);
    expect(eventsOf(events, "domain.suspended", "d1")).toMatchObject([
      { at: "2021-04-30T14:00:00.000Z", reason: "email-unverified" },
    ]);
    expect(eventsOf(events, "domain.unsuspended", "d1")).toMatchObject([
      { at: "2021-05-10T09:00:00.000Z", reason: "email-verified" },
    ]);
    expect(statuses.d1).toBe("active");
    expect((await registrar.info("example.com"))?.onHold).toBe(false);
  });

  it("still unverified on 2021-07-01: suspended once, and held at the registry", async () => {
    const { events, registrar, statuses } = await story(
      dialect,
      scenario({ emailVerified: false, actions: [] }),
    );
    expect(timelineOf(events, "d1", ["domain.suspended", "domain.unsuspended"])).toEqual([
      "2021-04-30 domain.suspended",
    ]);
    expect(statuses.d1).toBe("suspended");
    expect((await registrar.info("example.com"))?.onHold).toBe(true);
  });

  it("verified on 2021-04-20, within the 15 days: never suspended", async () => {
    const { events, statuses } = await story(
      dialect,
      scenario({ emailVerified: false, actions: [verify("2021-04-20T09:00:00Z")] }),
    );
    expect(eventsOf(events, "domain.suspended", "d1")).toEqual([]);
    expect(eventsOf(events, "domain.unsuspended", "d1")).toEqual([]);
    expect(noticesOf(events, "d1")).toEqual(["2021-04-15 verification-required"]);
    expect(statuses.d1).toBe("active");
  });

  it("verified at registration: no verification notice at all", async () => {
    const { events } = await story(dialect, scenario({ emailVerified: true, actions: [] }));
    expect(noticesOf(events, "d1")).toEqual([]);
    expect(eventsOf(events, "domain.suspended", "d1")).toEqual([]);
  });

  it("2021-06-01: transfer-out refused until 2021-06-15 14:00; 2021-06-16: the transfer is requested", async () => {
    const { events, refusals } = await story(
      dialect,
      scenario({
        emailVerified: true,
        actions: [transfer("2021-06-01T12:00:00Z"), transfer("2021-06-16T12:00:00Z")],
      }),
    );
    expect(eventsOf(events, "domain.transfer_denied", "d1")).toMatchObject([
      { at: "2021-06-01T12:00:00.000Z", until: "2021-06-15T14:00:00.000Z" },
    ]);
    expect(eventsOf(events, "domain.transfer_requested", "d1").map((e) => e.at)).toEqual([
      "2021-06-16T12:00:00.000Z",
    ]);
    expect(refusals).toEqual(["2021-06-01T12:00:00.000Z request-transfer-out: transfer-locked"]);
  });

  it("2021-06-15 10:00 is still inside the 60 days counted from 14:00: refused; 14:00 the same day, allowed", async () => {
    const { events } = await story(
      dialect,
      scenario({
        emailVerified: true,
        actions: [transfer("2021-06-15T10:00:00Z"), transfer("2021-06-15T14:00:00Z")],
      }),
    );
    expect(eventsOf(events, "domain.transfer_denied", "d1").map((e) => e.at)).toEqual([
      "2021-06-15T10:00:00.000Z",
    ]);
    expect(eventsOf(events, "domain.transfer_requested", "d1").map((e) => e.at)).toEqual([
      "2021-06-15T14:00:00.000Z",
    ]);
  });
});
