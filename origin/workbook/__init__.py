"""Excel in and out: template, lossless import (template or mapped layouts), results
workbook with live RVC formulas, broker export, batch checks. See ``docs/workbook.md``."""
