"""Nano-Tumor validation on all 378 datasets (Chou W.-C. et al., J Control Release 361:53, 2023).

Run: ``.venv/bin/python benchmarks/nano_tumor.py [--csv out.csv]``

Each dataset's fitted tumour parameters on the generic mouse nano-PBPK (see
:mod:`nanomed.organ.nano_tumor`); prints how many time courses reach R² >= 0.70 (published:
133 of 288, adjusted R² of lm(obs ~ sim) on %ID/g) and the R² of DE24, DE168, DEmax across datasets
(published, log10 scale: 0.83 / 0.56 / 0.82), with the time per dataset for CVODE and scipy BDF.
"""

from __future__ import annotations

import argparse
import time

from nanomed.organ.nano_tumor import nano_tumor_summary, nano_tumor_validation


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default=None, help="write the per-dataset table here")
    args = ap.parse_args()
    t0 = time.perf_counter()
    table = nano_tumor_validation()
    t_cv = time.perf_counter() - t0
    t0 = time.perf_counter()
    nano_tumor_validation(list(table["ID"][:60]), solver="scipy")
    t_bdf = (time.perf_counter() - t0) / 60
    s = nano_tumor_summary(table)
    n = s["with_r2"]
    print(f"datasets: {s['datasets']} ({n} with >= 3 usable observations)")
    print(
        f"time courses with R² >= 0.70: {s['r2_ge_0.70']} of {n} (cor²), "
        f"{s['adj_r2_ge_0.70']} of {n} (adjusted R², the paper's count: 133 of 288)"
    )
    for key in ("DE24", "DE168", "DEmax"):
        print(
            f"{key:6s} R² log10 {s[key + '_r2_log10']:.2f}   R² linear {s[key + '_r2']:.2f}   "
            f"within 2-fold {100 * s[key + '_within_2fold']:.0f} %"
        )
    print(
        f"time per dataset: CVODE {1e3 * t_cv / len(table):.1f} ms, scipy BDF {1e3 * t_bdf:.1f} ms "
        f"(ratio {t_bdf / (t_cv / len(table)):.1f}x)"
    )
    if args.csv:
        table.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
