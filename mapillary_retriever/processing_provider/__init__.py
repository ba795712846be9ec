"""Processing: the search as algorithms for the toolbox, models, batch mode and qgis_process."""

from .provider import MapillaryProvider

__all__ = ["MapillaryProvider"]
