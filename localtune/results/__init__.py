"""Results people can see and use: the analytics DataFrame, CSV export, the HTML report, and
predictions from models made of training jobs.

* :func:`localtune.results.analytics.analytics` — the SageMaker SDK's tuning-job DataFrame;
* :func:`localtune.results.export.export_csv`, :func:`~localtune.results.export.best_model_request`;
* :func:`localtune.results.report.write_report` — ``index.html`` with PNG plots;
* :mod:`localtune.results.inference` — load a model and answer ``/invocations`` requests.

This layer sits beside :mod:`localtune.interfaces`: it talks to SageMaker through a client, so it
works with ``localtune.client()``, the mock and a real boto3 client alike. pandas and matplotlib
are optional extras, imported only when needed.
"""

from localtune.results.analytics import MissingExtra, analytics

__all__ = ["MissingExtra", "analytics"]
