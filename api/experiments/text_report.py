"""The report as plain text, for the terminal (`tandem experiments report NAME`)."""

from __future__ import annotations

from typing import Any


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


def _num(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.4f}" if abs(value) < 10 else f"{value:,.2f}"


def render(report: dict[str, Any]) -> str:
    srm = report["srm"]
    lines = [f"Experiment {report['experiment']} ({report['status']}), started "
             f"{report['started_at'][:16]} UTC; control: {report['control']}",
             f"Peeking: {report['peeking']} of {report['horizon']['days']} days "
             f"(ran {report['horizon']['ran_days']} days)"]
    srm_p = report["srm_p"]
    lines.append("Sample ratio: " + ("no visitors yet" if srm_p is None else
                                     f"p = {srm_p:.3g}" + ("  MISMATCH" if srm["flagged"] else
                                                           "  ok"))
                 + f"; visitors {srm['visitors']}; in two variants (left out): "
                   f"{srm['excluded_multiple_variants']}")
    lines += [f"! {notice}" for notice in report["notices"]]
    treatments = [v for v in report["variants"] if v != report["control"]]
    lines.append("")
    lines.append(f"{'metric':<22} {'role':<9} {'variant':<14} {'control':>10} {'variant':>10} "
                 f"{'lift':>8} {'95% interval':>19} {'p':>7} {'verdict':<14} still needed")
    for name, m in report["metrics"].items():
        for variant in treatments:
            c = m["variants"][variant]
            ci = c["ci95"]
            interval = "n/a" if ci is None else f"[{_pct(ci[0])}, {_pct(ci[1])}]"
            p = "n/a" if c["p_value"] is None else f"{c['p_value']:.3f}"
            still = "n/a" if c["still_needed"] is None else f"{c['still_needed']:,}"
            lines.append(f"{name:<22} {m['role']:<9} {variant:<14} {_num(c['control']):>10} "
                         f"{_num(c['variant']):>10} {_pct(c['lift']):>8} {interval:>19} "
                         f"{p:>7} {c['verdict'] or '-':<14} {still}")
    reasons = report["handoffs_by_reason"]
    if any(reasons.values()):
        lines.append("")
        lines.append("Handoffs by reason: " + "; ".join(
            f"{v}: " + ", ".join(f"{r} {n}" for r, n in sorted(counts.items()))
            for v, counts in reasons.items() if counts))
    return "\n".join(lines)
