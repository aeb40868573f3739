"""Operation reports: the daily e-mail (R-DAILY), the monthly Excel workbook (R-MONTHLY), the
annual and half-year workbooks (R-ANNUAL), read from rollups of closed days."""
