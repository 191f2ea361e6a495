"""Batch operations: create, status, retrieve, list, cancel and invoke."""
