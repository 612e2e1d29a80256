"""Pure compute for the Martial Arts Media Center.

Importable without FastAPI, SQLAlchemy or Celery: the backend's workers call these functions,
and `python -m video_studio <command>` exposes the same functions on the command line.
"""

__version__ = "0.1.0"
