"""Reference values for src/agreement.ts, computed by scikit-learn, statsmodels and SciPy.

Run: python3 packages/label/scripts/agreement_reference.py > packages/label/src/fixtures/agreement.reference.json
(Debian: apt-get install python3-sklearn python3-scipy python3-statsmodels)
"""
import json
import random

import numpy as np
import scipy
import sklearn
import statsmodels
from scipy.stats import kendalltau
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

rng = random.Random(20261205)
labels = ["yes", "no", "maybe", "n/a"]
cohen = []
for n, k in [(10, 2), (25, 3), (50, 4), (7, 2), (100, 3)]:
    a = [rng.choice(labels[:k]) for _ in range(n)]
    # the second rater agrees with the first 60% of the time
    b = [x if rng.random() < 0.6 else rng.choice(labels[:k]) for x in a]
    cohen.append({"a": a, "b": b, "kappa": float(cohen_kappa_score(a, b))})

fleiss = []
for units, raters, k in [(10, 3, 2), (30, 5, 3), (20, 4, 4), (50, 2, 3)]:
    table = []
    for _ in range(units):
        truth = rng.choice(labels[:k])
        table.append([truth if rng.random() < 0.7 else rng.choice(labels[:k]) for _ in range(raters)])
    codes = np.array([[labels.index(x) for x in row] for row in table])
    counts, _ = aggregate_raters(codes)
    fleiss.append({"units": table, "kappa": float(fleiss_kappa(counts, method="fleiss"))})

kendall = []
for n in [4, 6, 10, 15]:
    x = [rng.randint(1, 5) for _ in range(n)]  # with ties
    y = [v + rng.randint(-2, 2) for v in x]
    kendall.append({"x": x, "y": y, "tau": float(kendalltau(x, y).statistic)})
for n in [3, 5, 8]:
    x = list(range(n))
    y = x[:]
    rng.shuffle(y)
    kendall.append({"x": x, "y": y, "tau": float(kendalltau(x, y).statistic)})

print(json.dumps({
    "generator": "packages/label/scripts/agreement_reference.py",
    "versions": {"sklearn": sklearn.__version__, "statsmodels": statsmodels.__version__, "scipy": scipy.__version__},
    "cohen": cohen,
    "fleiss": fleiss,
    "kendall": kendall,
}, indent=1))
