"""
.. include:: ./reports.md
"""
