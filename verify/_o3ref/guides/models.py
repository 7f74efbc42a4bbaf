"""
.. include:: ./models.md
"""
