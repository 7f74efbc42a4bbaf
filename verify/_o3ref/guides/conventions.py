"""
.. include:: ./conventions.md
"""
