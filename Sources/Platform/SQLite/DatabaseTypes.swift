import SQLiteNIO

/// A row as a query returns it; services use this name and never import the driver.
public typealias DatabaseRow = SQLiteRow
/// A value bound to a statement's `?` or read from a row.
public typealias DatabaseValue = SQLiteData
