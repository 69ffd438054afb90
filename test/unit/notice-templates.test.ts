import { describe, expect, it } from "vitest";
import { DEMO_SELLER } from "../../src/domain/seller.js";
import { en, frCA } from "../../src/views/notices/messages.js";
import {
  LOCALES,
  type Locale,
  NOTICE_TEMPLATES,
  type NoticeCommon,
  type NoticeData,
  type NoticeDataByTemplate,
  type NoticeTemplate,
} from "../../src/views/notices/notice-types.js";
import {
  escapeHtml,
  noticeParams,
  renderNotice,
  renderStoredNotice,
} from "../../src/views/notices/render-notice.js";

const NBSP = "\u00a0";
/** 2000 USD minor units, as Intl on Node 20 writes them. */
const AMOUNT = { en: "$20.00", "fr-CA": `20,00${NBSP}$${NBSP}US` } as const;
/** 2022-03-31 noon UTC, a date that is the same calendar day in Toronto. */
const DATE = { en: "March 31, 2022", "fr-CA": "31 mars 2022" } as const;

const usd = { amount: 2000, currency: "USD" };
const at = Date.UTC(2022, 2, 31, 12);
const later = Date.UTC(2022, 5, 14, 12);

const DOMAIN = "exemple.com";
const SERVICE = "Hébergement — Pro annuel";

/** Sample data per template; each uses `usd` and/or `at` so the formatted values can be asserted. */
const SAMPLES: { [T in NoticeTemplate]: { subject: string; data: NoticeDataByTemplate[T] } } = {
  "renewal-upcoming": {
    subject: DOMAIN,
    data: {
      chargeAt: at,
      expiresAt: Date.UTC(2022, 3, 15),
      autoRenewDeadline: Date.UTC(2022, 2, 30, 12),
      price: usd,
      cardLabel: "Visa ending 4242",
    },
  },
  "expiry-warning": { subject: DOMAIN, data: { expiresAt: at, daysBefore: 30 } },
  "payment-refunded": {
    subject: SERVICE,
    data: { invoiceNumber: 1042, amount: usd, reason: "invoice-voided", refundedAt: at },
  },
  "payment-failed": {
    subject: DOMAIN,
    data: { invoiceNumber: 1042, amount: usd, attempt: 2, reason: "declined", nextAttemptAt: at },
  },
  "domain-expired": {
    subject: DOMAIN,
    data: { expiresAt: at, graceEndsAt: later, reactivationPrice: usd },
  },
  "domain-suspended": { subject: DOMAIN, data: { reason: "email-unverified" } },
  "verification-required": { subject: DOMAIN, data: { deadline: at } },
  "invoice-issued": { subject: SERVICE, data: { invoiceNumber: 1042, amount: usd, dueAt: at } },
  "payment-receipt": { subject: SERVICE, data: { invoiceNumber: 1042, amount: usd, paidAt: at } },
  "cancellation-confirmed": {
    subject: SERVICE,
    data: { when: "end-of-term", effectiveAt: at, reason: "Je déménage mon site" },
  },
  "invoice-adjustment-needed": {
    subject: DOMAIN,
    data: { invoiceNumber: 1042, amount: usd, reason: "partly-paid" },
  },
  "service-suspended": { subject: SERVICE, data: { invoiceNumber: 1042, amount: usd, terminateAt: at } },
  "service-terminated": { subject: SERVICE, data: { invoiceNumber: 1042 } },
  "password-reset": {
    subject: "camille@example.com",
    data: { link: "https://clients.example/password/reset/abc?x=<b>", expiresAt: at },
  },
  "ticket-reply": {
    subject: "Remboursement de mon renouvellement",
    data: { ticketNumber: 12, body: "C’est fait.", link: "https://clients.example/requests/12" },
  },
  "payment-link": {
    subject: SERVICE,
    data: { invoiceNumber: 1042, amount: usd, dueAt: at, link: "https://clients.example/invoices/1042" },
  },
};

const HAS_AMOUNT = new Set<NoticeTemplate>([
  "renewal-upcoming",
  "payment-failed",
  "domain-expired",
  "invoice-issued",
  "payment-receipt",
  "invoice-adjustment-needed",
  "service-suspended",
  "payment-link",
]);
const HAS_DATE = new Set<NoticeTemplate>([
  "renewal-upcoming",
  "expiry-warning",
  "payment-failed",
  "domain-expired",
  "verification-required",
  "invoice-issued",
  "payment-receipt",
  "cancellation-confirmed",
  "service-suspended",
  "payment-link",
]);

function common(subject: string, customerName = "Marie Tremblay"): NoticeCommon {
  return { customerName, timeZone: "America/Toronto", subject };
}

function sample<T extends NoticeTemplate>(template: T): { subject: string; data: NoticeDataByTemplate[T] } {
  return SAMPLES[template];
}

function render<T extends NoticeTemplate>(template: T, locale: Locale, customerName?: string) {
  const { subject, data } = sample(template);
  const full: NoticeData<T> = { ...common(subject, customerName), ...data };
  return renderNotice(template, locale, full);
}

describe("notice templates", () => {
  it("both catalogs cover every template", () => {
    expect(Object.keys(en.templates).sort()).toEqual([...NOTICE_TEMPLATES].sort());
    expect(Object.keys(frCA.templates).sort()).toEqual([...NOTICE_TEMPLATES].sort());
  });

  for (const template of NOTICE_TEMPLATES) {
    describe(template, () => {
      for (const locale of LOCALES) {
        it(`renders in ${locale}`, () => {
          const notice = render(template, locale);
          const subject = SAMPLES[template].subject;
          expect(notice.subject.trim()).not.toBe("");
          expect(notice.text.trim()).not.toBe("");
          expect(notice.html.trim()).not.toBe("");
          expect(notice.subject).toContain(subject);
          expect(notice.text).toContain("Marie Tremblay");
          expect(notice.text).toContain(subject);
          expect(notice.html).toContain(`<html lang="${locale}">`);
          expect(notice.html).toContain("max-width:600px");
          expect(notice.html).toContain(escapeHtml(subject));
          if (HAS_AMOUNT.has(template)) {
            expect(notice.text).toContain(AMOUNT[locale]);
            expect(notice.html).toContain(AMOUNT[locale]);
          }
          if (HAS_DATE.has(template)) {
            expect(notice.text).toContain(DATE[locale]);
            expect(notice.html).toContain(DATE[locale]);
          }
        });
      }

      it("differs between French and English", () => {
        const fr = render(template, "fr-CA");
        const english = render(template, "en");
        expect(fr.subject).not.toBe(english.subject);
        expect(fr.text).not.toBe(english.text);
        expect(fr.html).not.toBe(english.html);
      });

      it("escapes the customer name in the HTML", () => {
        for (const locale of LOCALES) {
          const notice = render(template, locale, `<script>alert("x")</script> & Cie`);
          expect(notice.html).not.toContain("<script>");
          expect(notice.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie");
          expect(notice.text).toContain(`<script>alert("x")</script> & Cie`);
        }
      });
    });
  }

  it("shows dates as the calendar day in the customer's time zone", () => {
    // 02:00 UTC on March 31 is still March 30 in Toronto.
    const chargeAt = Date.UTC(2022, 2, 31, 2);
    const data = { ...SAMPLES["renewal-upcoming"].data, chargeAt };
    const fr = renderNotice("renewal-upcoming", "fr-CA", { ...common(DOMAIN), ...data });
    const english = renderNotice("renewal-upcoming", "en", { ...common(DOMAIN), ...data });
    expect(fr.subject).toBe(
      `exemple.com${NBSP}: renouvellement le 14 avril 2022, prélèvement de ${AMOUNT["fr-CA"]} le 30 mars 2022`,
    );
    expect(english.subject).toBe("exemple.com renews on April 14, 2022: $20.00 charged on March 30, 2022");
    const utc = renderNotice("renewal-upcoming", "en", { ...common(DOMAIN), timeZone: "UTC", ...data });
    expect(utc.subject).toBe("exemple.com renews on April 15, 2022: $20.00 charged on March 31, 2022");
  });

  it("writes the first of the month as « 1er » in French", () => {
    const data = { deadline: Date.UTC(2021, 4, 1, 12) };
    expect(renderNotice("verification-required", "fr-CA", { ...common(DOMAIN), ...data }).text).toContain(
      "avant le 1er mai 2021",
    );
    expect(renderNotice("verification-required", "en", { ...common(DOMAIN), ...data }).text).toContain(
      "before May 1, 2021",
    );
  });

  it("formats other currencies for the locale", () => {
    const data = { invoiceNumber: 7, amount: { amount: 123450, currency: "CAD" }, dueAt: at };
    expect(renderNotice("invoice-issued", "fr-CA", { ...common(SERVICE), ...data }).text).toContain(
      `1${NBSP}234,50${NBSP}$`,
    );
    expect(renderNotice("invoice-issued", "en", { ...common(SERVICE), ...data }).text).toContain("$1,234.50");
    expect(renderNotice("invoice-issued", "en", { ...common(SERVICE), ...data }).text).not.toContain("CA$");
  });

  it("says when there is no card on file", () => {
    const data = { ...SAMPLES["renewal-upcoming"].data, cardLabel: null };
    expect(renderNotice("renewal-upcoming", "fr-CA", { ...common(DOMAIN), ...data }).text).toContain(
      "aucune carte de paiement n’est enregistrée",
    );
    expect(renderNotice("renewal-upcoming", "en", { ...common(DOMAIN), ...data }).text).toContain(
      "there is no card on file",
    );
  });

  it("explains the failure reason humanly and the absence of a next attempt", () => {
    const base = SAMPLES["payment-failed"].data;
    const cases: Array<[string, string, string]> = [
      ["declined", "votre carte a été refusée", "your card was declined"],
      ["insufficient-funds", "les fonds sont insuffisants", "the card has insufficient funds"],
      ["expired", "votre carte est expirée", "your card has expired"],
      ["no-card-on-file", "aucune carte de paiement", "there is no card on file"],
      ["error", "le paiement n’a pas pu être traité", "the payment could not be processed"],
    ];
    for (const [reason, fr, english] of cases) {
      const data = { ...base, reason, nextAttemptAt: null };
      const frText = renderNotice("payment-failed", "fr-CA", { ...common(DOMAIN), ...data }).text;
      const enText = renderNotice("payment-failed", "en", { ...common(DOMAIN), ...data }).text;
      expect(frText).toContain(fr);
      expect(enText).toContain(english);
      expect(frText).toContain("Aucune autre tentative");
      expect(enText).toContain("no further automatic attempt");
    }
  });

  it("escapes every interpolated value, not only the name", () => {
    const notice = renderNotice("cancellation-confirmed", "en", {
      ...common("<b>site</b>"),
      when: "immediate",
      effectiveAt: at,
      reason: `"quotes" & 'apostrophes' <img src=x>`,
    });
    expect(notice.html).not.toMatch(/<b>|<img/);
    expect(notice.html).toContain("&lt;b&gt;site&lt;/b&gt;");
    expect(notice.html).toContain("&quot;quotes&quot; &amp; &#39;apostrophes&#39; &lt;img src=x&gt;");
  });

  it("the renewal notice names the renewal date, the charge date and the last day to turn auto-renew off (item 12)", () => {
    // Renews (expires) on April 15, charged 15 days before on March 31, off until March 30.
    const data = {
      chargeAt: Date.UTC(2022, 2, 31, 14),
      expiresAt: Date.UTC(2022, 3, 15, 14),
      autoRenewDeadline: Date.UTC(2022, 2, 30, 14),
      price: usd,
      cardLabel: "Visa ending 4242",
    };
    const fr = renderNotice("renewal-upcoming", "fr-CA", { ...common(DOMAIN), ...data });
    const english = renderNotice("renewal-upcoming", "en", { ...common(DOMAIN), ...data });
    expect(english.subject).toBe("exemple.com renews on April 15, 2022: $20.00 charged on March 31, 2022");
    expect(fr.subject).toBe(
      `exemple.com${NBSP}: renouvellement le 15 avril 2022, prélèvement de ${AMOUNT["fr-CA"]} le 31 mars 2022`,
    );
    expect(english.text).toContain("Renewal date: April 15, 2022");
    expect(english.text).toContain("Charge date: March 31, 2022");
    expect(english.text).toContain("turn auto-renew off in your client area by March 30, 2022 at the latest");
    expect(english.text).not.toContain("one day before");
    expect(fr.text).toContain(`Date de renouvellement${NBSP}: le 15 avril 2022`);
    expect(fr.text).toContain(`Date du prélèvement${NBSP}: le 31 mars 2022`);
    expect(fr.text).toContain("au plus tard le 30 mars 2022, avant le prélèvement du 31 mars 2022");
    expect(fr.text).not.toContain("un jour avant");
  });

  it("French notices: no-break spaces before : ; ! ? and inside « », one mark nº for numbers (item 15)", () => {
    const receipt = render("payment-receipt", "fr-CA").text;
    expect(receipt).toContain(`facture nº${NBSP}1042`);
    expect(receipt).toContain("Merci\u202f!");
    expect(receipt).not.toMatch(/n°|\bno \d/);
    const cancelled = render("cancellation-confirmed", "fr-CA").text;
    expect(cancelled).toContain(`Raison indiquée${NBSP}: «${NBSP}Je déménage mon site${NBSP}»`);
    expect(cancelled).toContain("changé d’avis\u202f?");
    for (const template of NOTICE_TEMPLATES) {
      const { subject, text } = render(template, "fr-CA");
      expect(`${subject}\n${text}`).not.toMatch(/ [:;!?](\s|$)/);
      expect(`${subject}\n${text}`).not.toMatch(/« | »/);
    }
  });

  it("the footer names the seller: legal name, address, tax numbers, support e-mail", () => {
    for (const locale of LOCALES) {
      const notice = renderNotice(
        "invoice-issued",
        locale,
        { ...common(SERVICE), ...sample("invoice-issued").data },
        {
          seller: DEMO_SELLER,
        },
      );
      for (const part of [
        "Hébergement Boréal inc.",
        "1200, rue Saint-Jean, bureau 300",
        "TPS/GST 812345678 RT0001",
        "TVQ/QST 1234567890 TQ0001",
        "soutien@boreal-web.example",
      ]) {
        expect(notice.text).toContain(part);
        expect(notice.html).toContain(escapeHtml(part));
      }
    }
  });
});

describe("notices stored as template + params (issue 14)", () => {
  for (const template of NOTICE_TEMPLATES) {
    for (const locale of LOCALES) {
      it(`${template} (${locale}): rendering the stored params is byte for byte the eager rendering`, () => {
        const { subject, data } = sample(template);
        const full: NoticeData<typeof template> = { ...common(subject), ...data };
        const eager = renderNotice(template, locale, full, { seller: DEMO_SELLER });
        const stored = renderStoredNotice(
          { template, locale, params: noticeParams(full), subject: null, text_body: null, html_body: null },
          { seller: DEMO_SELLER },
        );
        expect(stored).toEqual(eager);
        expect(Buffer.from(stored.html).equals(Buffer.from(eager.html))).toBe(true);
        expect(Buffer.from(stored.text).equals(Buffer.from(eager.text))).toBe(true);
      });
    }
  }

  it("a row written before migration 0010 is shown as it was stored", () => {
    const old = { subject: "Ancien", text_body: "texte", html_body: "<p>html</p>" };
    expect(renderStoredNotice({ template: "invoice-issued", locale: "fr-CA", params: null, ...old })).toEqual(
      {
        subject: "Ancien",
        text: "texte",
        html: "<p>html</p>",
      },
    );
  });
});
