//! Where a table's rows go: a Parquet file (the crate's own column writers,
//! a row group every [`ROW_GROUP_ROWS`] rows, Snappy pages, dictionary
//! encoding) or a CSV file. Each is written as `NAME.partial` and renamed
//! to its name only when the export is complete; an export that fails
//! leaves no partial file behind.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type as SchemaType;

use super::rows::{Table, Type, Value};

/// Rows per Parquet row group: large enough for readers to skip whole
/// groups by their statistics, small enough to buffer (about 50 MB for the
/// widest table).
pub const ROW_GROUP_ROWS: usize = 131_072;

/// The formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Parquet,
    Csv,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
        }
    }
}

/// A file being written beside its final name; removed unless kept.
struct Partial {
    partial: PathBuf,
    path: PathBuf,
    kept: bool,
}

impl Partial {
    fn new(path: PathBuf) -> anyhow::Result<(Self, File)> {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".partial");
        let partial = path.with_file_name(name);
        let file = File::create(&partial)
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", partial.display()))?;
        Ok((
            Self {
                partial,
                path,
                kept: false,
            },
            file,
        ))
    }

    fn keep(mut self, file: &File) -> anyhow::Result<()> {
        file.sync_all()?;
        std::fs::rename(&self.partial, &self.path)
            .map_err(|e| anyhow::anyhow!("renaming onto {}: {e}", self.path.display()))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// One table's file.
pub enum Sink {
    Parquet(Box<ParquetSink>),
    Csv(Box<CsvSink>),
}

impl Sink {
    /// Starts `table` in `dir`; a CSV file writes times in `tz`.
    pub fn create(
        dir: &Path,
        table: Table,
        format: Format,
        tz: &jiff::tz::TimeZone,
    ) -> anyhow::Result<Self> {
        let path = dir.join(format!("{}.{}", table.name, format.extension()));
        Ok(match format {
            Format::Parquet => Sink::Parquet(Box::new(ParquetSink::create(path, table)?)),
            Format::Csv => Sink::Csv(Box::new(CsvSink::create(path, table, tz.clone())?)),
        })
    }

    pub fn push(&mut self, row: Vec<Value>) -> anyhow::Result<()> {
        match self {
            Sink::Parquet(p) => p.push(row),
            Sink::Csv(c) => c.push(row),
        }
    }

    /// Finishes the file and gives it its name; returns its rows.
    /// `metadata` goes into a Parquet file's key-value metadata.
    pub fn finish(self, metadata: &[(&str, String)]) -> anyhow::Result<u64> {
        match self {
            Sink::Parquet(p) => p.finish(metadata),
            Sink::Csv(c) => c.finish(),
        }
    }
}

/// A column's values waiting for the next row group, with each row's
/// definition level (1 present, 0 null) for a nullable column.
enum Buffer {
    Int(Vec<i64>, Vec<i16>),
    Bytes(Vec<ByteArray>, Vec<i16>),
}

pub struct ParquetSink {
    table: Table,
    writer: SerializedFileWriter<BufWriter<File>>,
    partial: Partial,
    buffers: Vec<Buffer>,
    buffered: usize,
    rows: u64,
}

fn schema(table: &Table) -> anyhow::Result<SchemaType> {
    let fields = table
        .columns
        .iter()
        .map(|c| {
            let (physical, logical) = match c.ty {
                Type::Int64 => (Physical::INT64, LogicalType::integer(64, true)),
                Type::UInt64 => (Physical::INT64, LogicalType::integer(64, false)),
                Type::TimestampMs => (
                    Physical::INT64,
                    LogicalType::timestamp(true, TimeUnit::MILLIS),
                ),
                Type::Utf8 => (Physical::BYTE_ARRAY, LogicalType::String),
            };
            let repetition = if c.nullable {
                Repetition::OPTIONAL
            } else {
                Repetition::REQUIRED
            };
            SchemaType::primitive_type_builder(c.name, physical)
                .with_repetition(repetition)
                .with_logical_type(Some(logical))
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SchemaType::group_type_builder(table.name)
        .with_fields(fields)
        .build()?)
}

impl ParquetSink {
    fn create(path: PathBuf, table: Table) -> anyhow::Result<Self> {
        let (partial, file) = Partial::new(path)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("yui audit export {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = SerializedFileWriter::new(
            BufWriter::with_capacity(1 << 20, file),
            Arc::new(schema(&table)?),
            Arc::new(props),
        )?;
        let buffers = table
            .columns
            .iter()
            .map(|c| match c.ty {
                Type::Utf8 => Buffer::Bytes(Vec::new(), Vec::new()),
                _ => Buffer::Int(Vec::new(), Vec::new()),
            })
            .collect();
        Ok(Self {
            table,
            writer,
            partial,
            buffers,
            buffered: 0,
            rows: 0,
        })
    }

    fn push(&mut self, row: Vec<Value>) -> anyhow::Result<()> {
        anyhow::ensure!(
            row.len() == self.buffers.len(),
            "{}: a row of {} values for {} columns",
            self.table.name,
            row.len(),
            self.buffers.len()
        );
        for ((value, buffer), column) in row
            .into_iter()
            .zip(&mut self.buffers)
            .zip(self.table.columns)
        {
            let present = !matches!(value, Value::Null);
            anyhow::ensure!(
                present || column.nullable,
                "{}.{}: no value in a required column",
                self.table.name,
                column.name
            );
            match (buffer, value) {
                (Buffer::Int(v, d), value) => {
                    match value {
                        Value::Int(n) | Value::Time(n) => v.push(n),
                        // Unsigned: the same 64 bits, as Parquet stores them.
                        Value::UInt(n) => v.push(n as i64),
                        Value::Null => {}
                        Value::Text(_) => {
                            anyhow::bail!(
                                "{}.{}: text in a number column",
                                self.table.name,
                                column.name
                            )
                        }
                    }
                    d.push(i16::from(present));
                }
                (Buffer::Bytes(v, d), value) => {
                    match value {
                        Value::Text(s) => v.push(ByteArray::from(s.into_bytes())),
                        Value::Null => {}
                        _ => anyhow::bail!(
                            "{}.{}: a number in a text column",
                            self.table.name,
                            column.name
                        ),
                    }
                    d.push(i16::from(present));
                }
            }
        }
        self.buffered += 1;
        if self.buffered >= ROW_GROUP_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> anyhow::Result<()> {
        if self.buffered == 0 {
            return Ok(());
        }
        let mut group = self.writer.next_row_group()?;
        for (buffer, column) in self.buffers.iter_mut().zip(self.table.columns) {
            let mut w = group.next_column()?.ok_or_else(|| {
                anyhow::anyhow!("{}: fewer columns than the schema", self.table.name)
            })?;
            let nullable = column.nullable;
            match buffer {
                Buffer::Int(v, d) => {
                    let levels = nullable.then_some(d.as_slice());
                    w.typed::<Int64Type>().write_batch(v, levels, None)?;
                    v.clear();
                    d.clear();
                }
                Buffer::Bytes(v, d) => {
                    let levels = nullable.then_some(d.as_slice());
                    w.typed::<ByteArrayType>().write_batch(v, levels, None)?;
                    v.clear();
                    d.clear();
                }
            }
            w.close()?;
        }
        group.close()?;
        self.rows += self.buffered as u64;
        self.buffered = 0;
        Ok(())
    }

    fn finish(mut self, metadata: &[(&str, String)]) -> anyhow::Result<u64> {
        self.flush()?;
        for (k, v) in metadata {
            self.writer
                .append_key_value_metadata(KeyValue::new(k.to_string(), v.clone()));
        }
        let file = self
            .writer
            .into_inner()?
            .into_inner()
            .map_err(|e| anyhow::anyhow!("writing {}: {}", self.table.name, e.error()))?;
        self.partial.keep(&file)?;
        Ok(self.rows)
    }
}

pub struct CsvSink {
    writer: csv::Writer<BufWriter<File>>,
    partial: Partial,
    tz: jiff::tz::TimeZone,
    rows: u64,
}

impl CsvSink {
    fn create(path: PathBuf, table: Table, tz: jiff::tz::TimeZone) -> anyhow::Result<Self> {
        let (partial, file) = Partial::new(path)?;
        let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
        writer.write_record(table.columns.iter().map(|c| c.name))?;
        Ok(Self {
            writer,
            partial,
            tz,
            rows: 0,
        })
    }

    fn push(&mut self, row: Vec<Value>) -> anyhow::Result<()> {
        let cells = row.into_iter().map(|v| csv_cell(v, &self.tz));
        self.writer.write_record(cells)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(self) -> anyhow::Result<u64> {
        let file = self
            .writer
            .into_inner()
            .map_err(|e| anyhow::anyhow!("writing CSV: {}", e.error()))?
            .into_inner()
            .map_err(|e| anyhow::anyhow!("writing CSV: {}", e.error()))?;
        self.partial.keep(&file)?;
        Ok(self.rows)
    }
}

/// A CSV cell: empty for null, decimal numbers, an instant as RFC 3339 with
/// milliseconds in the town's zone (`2025-04-01T09:00:00.000+09:00`).
pub fn csv_cell(v: Value, tz: &jiff::tz::TimeZone) -> String {
    match v {
        Value::Null => String::new(),
        Value::Int(n) => n.to_string(),
        Value::UInt(n) => n.to_string(),
        Value::Time(ms) => match jiff::Timestamp::from_millisecond(ms) {
            Ok(t) => t
                .to_zoned(tz.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
                .to_string(),
            Err(_) => ms.to_string(),
        },
        Value::Text(s) => s,
    }
}
