/** TENURE_GATEWAY and the Stripe keys: validated at start, each problem naming its variable. */
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../src/main/config.js";

const STRIPE = {
  TENURE_GATEWAY: "stripe",
  TENURE_STRIPE_SECRET_KEY: "sk_test_abc123",
  TENURE_STRIPE_WEBHOOK_SECRET: "whsec_abc123",
};

describe("gateway configuration", () => {
  it("is the built-in test gateway by default", () => {
    expect(readConfig({}).gateway).toEqual({ kind: "test" });
  });

  it("takes Stripe's keys with TENURE_GATEWAY=stripe", () => {
    expect(
      readConfig({
        ...STRIPE,
        TENURE_STRIPE_PUBLISHABLE_KEY: "pk_test_xyz",
        TENURE_STRIPE_API_URL: "http://127.0.0.1:12111",
      }).gateway,
    ).toEqual({
      kind: "stripe",
      secretKey: "sk_test_abc123",
      webhookSecret: "whsec_abc123",
      publishableKey: "pk_test_xyz",
      apiUrl: "http://127.0.0.1:12111",
    });
  });

  it.each([
    [{ TENURE_GATEWAY: "paypal" }, "TENURE_GATEWAY"],
    [
      { TENURE_GATEWAY: "stripe", TENURE_STRIPE_WEBHOOK_SECRET: "whsec_abc" },
      "TENURE_STRIPE_SECRET_KEY: required",
    ],
    [
      { TENURE_GATEWAY: "stripe", TENURE_STRIPE_SECRET_KEY: "sk_test_abc" },
      "TENURE_STRIPE_WEBHOOK_SECRET: required",
    ],
    [
      { ...STRIPE, TENURE_STRIPE_SECRET_KEY: "pk_test_abc" },
      "TENURE_STRIPE_SECRET_KEY: must be a Stripe secret key",
    ],
    [{ ...STRIPE, TENURE_STRIPE_WEBHOOK_SECRET: "abc" }, "TENURE_STRIPE_WEBHOOK_SECRET: must be"],
    [{ ...STRIPE, TENURE_STRIPE_PUBLISHABLE_KEY: "sk_test_abc" }, "TENURE_STRIPE_PUBLISHABLE_KEY: must be"],
    [{ ...STRIPE, TENURE_STRIPE_API_URL: "ftp://x" }, "TENURE_STRIPE_API_URL"],
  ])("refuses %o, naming %s", (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});
