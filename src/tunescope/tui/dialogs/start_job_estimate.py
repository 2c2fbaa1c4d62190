"""The start-job dialog's tokens-and-cost text, apart from the dialog so it can be read and tested alone.

It says what the check report says (billable tokens, epochs, cost) and never more: a figure the model
table cannot back is "n/a" with its reason (billed per hour, cannot train this data, nothing to train),
estimated counts make the price an upper bound, and the DPO billing assumption is shown beside a DPO figure.
"""

from __future__ import annotations

from tunescope.tokens.cost import estimate



def estimate_text(report, info, epochs: int | None, *, method: str, is_local: bool, errors: int) -> str:
    """Lines for the dialog: tokens × epochs, the cost, and warnings about errors and graders."""
    per_epoch = report.tokens.billable_per_epoch if report.tokens else None
    if not per_epoch:
        return "Tokens and cost: unknown (the check has no token counts)."
    estimated = bool(getattr(report.tokens, "estimated", False))
    est = estimate(report.examples, int(per_epoch), info, epochs, method=method, tokens_estimated=estimated)
    if est.epochs is None:
        lines = [f"Tokens   {per_epoch:,} billable per epoch", f"Cost     n/a: {est.note}" if est.note else "Cost     n/a"]
    else:
        lines = [f"Tokens   {per_epoch:,} billable per epoch × {est.epochs} epoch{'s' if est.epochs != 1 else ''}"
                 f"{' (auto)' if est.epochs_auto else ''} = {est.billed_tokens:,}"]
        if est.usd is not None:
            bound = "at most" if est.upper_bound else "about"
            price = f"{bound} ${est.usd:,.2f} at ${est.price_per_1m:g}/1M ({est.price_date or 'date unknown'})"
        else:
            price = "unknown for this model (no per-token price in the model table)"
        if is_local:
            lines.append(f"Cost     free: simulated on the local server (on OpenAI: {price})")
        else:
            lines.append(f"Cost     {price}; your provider's price may differ")
        if est.note:
            lines.append(f"         {est.note}")
    if errors:
        lines.append(f"⚠ {errors:,} error(s): the provider will probably reject this file (starting asks you to confirm).")
    if method == "reinforcement":
        lines.append("⚠ reinforcement jobs need a grader: use `tunescope jobs create --grader FILE`.")
    return "\n".join(lines)
