"""Server-rendered WFM screens: forecast against actuals, staffing, schedule grid, adherence."""
