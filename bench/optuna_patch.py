"""The fix Debian 12's Optuna needs before its TPE is the one users have run since Optuna 3.5.

Optuna 3.1.0 leaves the scale out of its truncated normal's log density (optuna issue 5109, fixed
in 3.5), so that its TPE weighs the kernels of continuous parameters wrongly. The benchmark
scripts that run Debian's Optuna beside our tuners apply this fix unless told not to.
"""

import numpy as np


def fix_truncnorm_logpdf():
    from optuna.samplers._tpe import _truncnorm

    released = _truncnorm.logpdf

    def logpdf(x, a, b, loc=0.0, scale=1.0):
        return released((np.asarray(x) - loc) / scale, a, b) - np.log(scale)

    _truncnorm.logpdf = logpdf
