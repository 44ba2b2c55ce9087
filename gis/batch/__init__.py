"""City-wide batch review (全市批量审查) of many communities on ``dask.distributed``.

>>> from gis.batch import run_batch  # doctest: +SKIP
>>> run_batch("city.gpkg", by="community_id", out_dir="out/city", workers=2)  # doctest: +SKIP
"""

from gis.batch.runner import DONE, ERROR, STATUSES, BatchResult, community_dir, run_batch, run_community
from gis.batch.split import community_ids, read_community
from gis.batch.summary import write_city_summary

__all__ = ["run_batch", "run_community", "BatchResult", "community_ids", "read_community", "write_city_summary",
           "community_dir", "DONE", "ERROR", "STATUSES"]
