"""
.. include:: ./survey.md

.. include:: ./survey_table.md
"""
