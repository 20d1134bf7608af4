"""HS nomenclature by edition, NZ tariff codes, and product-specific-rule schedules.

- :mod:`hs_data.editions`: which codes exist in HS 2012, 2017 and 2022;
- :mod:`hs_data.nz_tariff`: NZ tariff items and statistical keys read as HS subheadings;
- :mod:`hs_data.correlation`: UN correlation tables between editions;
- :mod:`hs_data.schedule`: the schedule format (``docs/psr-schedule-format.md``), loader
  and lookup with provenance;
- :mod:`hs_data.importers`: NZ–UK Annex 3A and CPTPP Annex 3-D into schedules;
- :mod:`hs_data.transpose`: a schedule moved to HS 2022, and coverage;
- :mod:`hs_data.apply`: a determination's rule taken from a schedule, cited;
- :mod:`hs_data.cli`: ``origin psr ...``.

Reference files (nomenclatures, correlation tables, annexes) are not bundled: they are
passed as paths. Decision record: ``docs/decisions/0010-hs-data-and-schedules.md``.
"""
