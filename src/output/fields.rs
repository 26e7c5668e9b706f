//! Table and CSV cells read from a value's `Serialize`, so that a result struct's columns are its
//! JSON fields, in the same order and under the same names, with nothing written twice.
//!
//! A row type is a struct (`#[derive(Serialize)]`): each field is a column named as it is in
//! JSON, and its cell is the field's text: a string as it is, a number or a bool as Rust prints
//! it, a missing value (`None`, or a field skipped when empty) as an empty cell, a list as its
//! items separated by single spaces, and anything nested as its compact JSON. A store row that
//! flattens its record (`#[serde(flatten)]`) serialises as a map, read the same way: its
//! fields, then the record's, in order. Renderers never print from here; `output/mod.rs` turns
//! the cells into tables and CSV.

use serde::Serialize;
use serde::ser::{self, Impossible};

/// The column names and cells of one struct value, in field order; `None` when `value` does not
/// serialise as a struct or a map of named fields (a row type is always a struct). Names are owned: a flattened row's keys
/// reach a serializer as plain `&str`.
pub fn fields<T: Serialize + ?Sized>(value: &T) -> Option<Vec<(String, String)>> {
    value.serialize(Row).ok()
}

/// Why a value could not be read as a row (it is not a struct); never shown to a user.
#[derive(Debug)]
pub struct NotARow;

impl std::fmt::Display for NotARow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a struct")
    }
}

impl std::error::Error for NotARow {}

impl ser::Error for NotARow {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        NotARow
    }
}

/// The top level: a struct, read field by field.
struct Row;

/// The fields read so far.
struct Fields(Vec<(String, String)>);

impl ser::SerializeStruct for Fields {
    type Ok = Vec<(String, String)>;
    type Error = NotARow;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), NotARow> {
        self.0.push((key.to_string(), text(value)));
        Ok(())
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), NotARow> {
        self.0.push((key.to_string(), String::new()));
        Ok(())
    }

    fn end(self) -> Result<Self::Ok, NotARow> {
        Ok(self.0)
    }
}

/// A flattened row's entries read so far, and the key waiting for its value.
struct Entries {
    fields: Vec<(String, String)>,
    key: Option<String>,
}

impl ser::SerializeMap for Entries {
    type Ok = Vec<(String, String)>;
    type Error = NotARow;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), NotARow> {
        // Field names are strings; a map keyed by anything else is data, not a row.
        self.key = Some(key.serialize(Cell)?.ok_or(NotARow)?);
        Ok(())
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), NotARow> {
        let key = self.key.take().ok_or(NotARow)?;
        self.fields.push((key, text(value)));
        Ok(())
    }

    fn end(self) -> Result<Self::Ok, NotARow> {
        Ok(self.fields)
    }
}

/// The text of one cell.
fn text<V: Serialize + ?Sized>(value: &V) -> String {
    match value.serialize(Cell) {
        Ok(Some(text)) => text,
        Ok(None) => String::new(),
        // Nested structure: its compact JSON.
        Err(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}

macro_rules! not_a_row {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<Self::Ok, NotARow> { Err(NotARow) })*
    };
}

/// The compound shapes neither a row nor a cell can be: tuples, enum variants with data.
macro_rules! no_compounds {
    () => {
        fn serialize_newtype_variant<V: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &V,
        ) -> Result<Self::Ok, NotARow> {
            Err(NotARow)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotARow> {
            Err(NotARow)
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, NotARow> {
            Err(NotARow)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, NotARow> {
            Err(NotARow)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, NotARow> {
            Err(NotARow)
        }
    };
}

impl ser::Serializer for Row {
    type Ok = Vec<(String, String)>;
    type Error = NotARow;
    type SerializeSeq = Impossible<Self::Ok, NotARow>;
    type SerializeTuple = Impossible<Self::Ok, NotARow>;
    type SerializeTupleStruct = Impossible<Self::Ok, NotARow>;
    type SerializeTupleVariant = Impossible<Self::Ok, NotARow>;
    type SerializeMap = Entries;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Impossible<Self::Ok, NotARow>;

    no_compounds!();

    /// A struct with a flattened field serialises as a map of its fields.
    fn serialize_map(self, len: Option<usize>) -> Result<Entries, NotARow> {
        Ok(Entries {
            fields: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Fields, NotARow> {
        Ok(Fields(Vec::with_capacity(len)))
    }

    not_a_row!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_char: char,
        serialize_str: &str, serialize_bytes: &[u8], serialize_unit_struct: &'static str,
    );

    fn serialize_none(self) -> Result<Self::Ok, NotARow> {
        Err(NotARow)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, _: &V) -> Result<Self::Ok, NotARow> {
        Err(NotARow)
    }
    fn serialize_unit(self) -> Result<Self::Ok, NotARow> {
        Err(NotARow)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<Self::Ok, NotARow> {
        Err(NotARow)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &V,
    ) -> Result<Self::Ok, NotARow> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotARow> {
        Err(NotARow)
    }
}

/// One cell: `Some(text)`, `None` for a missing value; an error for nested structure.
struct Cell;

/// The items of a list cell, joined with spaces at the end.
struct Items(Vec<String>);

impl ser::SerializeSeq for Items {
    type Ok = Option<String>;
    type Error = NotARow;

    fn serialize_element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), NotARow> {
        self.0.push(value.serialize(Cell)?.unwrap_or_default());
        Ok(())
    }

    fn end(self) -> Result<Option<String>, NotARow> {
        Ok(Some(self.0.join(" ")))
    }
}

macro_rules! shown {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<Option<String>, NotARow> { Ok(Some(v.to_string())) })*
    };
}

impl ser::Serializer for Cell {
    type Ok = Option<String>;
    type Error = NotARow;
    type SerializeSeq = Items;
    type SerializeTuple = Impossible<Option<String>, NotARow>;
    type SerializeTupleStruct = Impossible<Option<String>, NotARow>;
    type SerializeTupleVariant = Impossible<Option<String>, NotARow>;
    type SerializeMap = Impossible<Option<String>, NotARow>;
    type SerializeStruct = Impossible<Option<String>, NotARow>;
    type SerializeStructVariant = Impossible<Option<String>, NotARow>;

    no_compounds!();

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotARow> {
        Err(NotARow)
    }

    shown!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_char: char,
        serialize_str: &str,
    );

    fn serialize_bytes(self, _: &[u8]) -> Result<Option<String>, NotARow> {
        Err(NotARow)
    }
    fn serialize_none(self) -> Result<Option<String>, NotARow> {
        Ok(None)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<Option<String>, NotARow> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Option<String>, NotARow> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Option<String>, NotARow> {
        Ok(None)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Option<String>, NotARow> {
        Ok(Some(variant.to_string()))
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &V,
    ) -> Result<Option<String>, NotARow> {
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items, NotARow> {
        Ok(Items(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotARow> {
        Err(NotARow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct Row {
        name: String,
        count: u64,
        on: bool,
        maybe: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        hidden: Option<i64>,
        tags: Vec<String>,
        #[serde(rename = "kind_name")]
        kind: &'static str,
    }

    #[test]
    fn a_struct_is_its_fields_in_order_under_their_json_names() {
        let row = Row {
            name: "Ann".into(),
            count: 3,
            on: true,
            maybe: None,
            hidden: None,
            tags: vec!["a".into(), "b".into()],
            kind: "x",
        };
        assert_eq!(
            named(&row),
            [
                "name=Ann",
                "count=3",
                "on=true",
                "maybe=",
                "hidden=",
                "tags=a b",
                "kind_name=x",
            ]
        );
    }

    /// The row's fields as `name=cell` lines, to compare with literals.
    fn named<T: Serialize>(value: &T) -> Vec<String> {
        fields(value)
            .unwrap()
            .into_iter()
            .map(|(name, cell)| format!("{name}={cell}"))
            .collect()
    }

    #[derive(Serialize, Default)]
    struct Inner {
        platform: String,
        body: Option<String>,
    }

    #[derive(Serialize, Default)]
    struct Flattened {
        id: i64,
        #[serde(flatten)]
        inner: Inner,
        fan: Option<String>,
    }

    #[test]
    fn a_flattened_record_is_read_in_place_among_the_row_s_fields() {
        let row = Flattened {
            id: 7,
            inner: Inner {
                platform: "x".into(),
                body: None,
            },
            fan: Some("bo".into()),
        };
        assert_eq!(named(&row), ["id=7", "platform=x", "body=", "fan=bo"]);
    }

    #[test]
    fn a_value_that_is_not_a_struct_is_no_row() {
        assert!(fields(&3).is_none());
        assert!(fields(&vec![1, 2]).is_none());
    }
}
