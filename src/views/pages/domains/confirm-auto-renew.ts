/** Turning auto-renew off says first what will happen (seed 000 and 004), then asks to confirm. */
import type { AutoRenewOffPreview } from "../../../modules/domains/list-domains.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";
import { fmt } from "./parts.js";

export function confirmAutoRenewOffPage(
  ctx: PageContext,
  preview: Extract<AutoRenewOffPreview, { ok: true }>,
  back: string,
  timeZone: string,
): SafeHtml {
  const m = ctx.m.domains.confirm;
  const f = fmt(ctx, timeZone);
  const consequences =
    preview.chargeStillDueAt !== null
      ? [html`<li>${m.chargeStillMade(f.date(preview.chargeStillDueAt), preview.offLeadDays)}</li>`]
      : [
          html`<li>${m.willExpire(f.date(preview.expiresAt))}</li>`,
          ...preview.voidable.map((invoice) => html`<li>${m.invoiceVoided(invoice)}</li>`),
          ...preview.needsAdjustment.map((a) => html`<li>${m.cannotVoid(a.invoice)}</li>`),
          html`<li>${m.graceAfter(f.date(preview.graceEndsAt))}</li>`,
        ];
  return html`<section class="card warning">
    <ul>${consequences}</ul>
    <form method="post" action="/domains/${encodeURIComponent(preview.domain.serviceId)}/auto-renew" class="actions">
      ${csrfField(ctx)}<input type="hidden" name="on" value="0"><input type="hidden" name="confirm" value="1"><input type="hidden" name="back" value="${back}">
      <button type="submit" class="danger">${m.submit}</button>
      <a class="button secondary" href="${back}">${m.keep}</a>
    </form>
  </section>`;
}
