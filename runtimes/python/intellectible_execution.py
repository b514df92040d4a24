"""Intellectible's SDK name for the same clients: ``from intellectible_execution import DatabaseClient``."""

from isola import DatabaseClient, KvClient, ProjectDataError

__all__ = ["DatabaseClient", "KvClient", "ProjectDataError"]
