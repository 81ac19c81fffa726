"""leadloop: an open connector framework for channel lead management."""

from .connectors import ConnectorContext, ConnectorType
from .hookspecs import hookimpl

__all__ = ["ConnectorContext", "ConnectorType", "__version__", "hookimpl"]
__version__ = "0.1.0"
