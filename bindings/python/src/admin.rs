//! Arguments of the collection, index and migration operations: Python values → the core's types.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::py_to_value;
use crate::errors;

/// `update_index(create=[{"name", "unique", "keys": [(field, 1 | -1 | "2dsphere"), ...]}])`.
pub fn index_specs(obj: &Bound<'_, PyAny>) -> PyResult<Vec<wxcloud::IndexSpec>> {
    let bad = || {
        errors::statement(
            "create takes dicts {\"name\": str, \"unique\": bool, \"keys\": [(field, 1 | -1 | \"2dsphere\")]}",
        )
    };
    obj.try_iter()?
        .map(|item| {
            let item = item?;
            let spec = item.cast::<PyDict>().map_err(|_| bad())?;
            let name: String = spec
                .get_item("name")?
                .ok_or_else(bad)?
                .extract()
                .map_err(|_| bad())?;
            let unique: bool = match spec.get_item("unique")? {
                Some(u) => u.extract().map_err(|_| bad())?,
                None => false,
            };
            let mut index = wxcloud::IndexSpec::new(name).unique(unique);
            for key in spec.get_item("keys")?.ok_or_else(bad)?.try_iter()? {
                let (field, dir): (String, Bound<'_, PyAny>) = key?.extract().map_err(|_| bad())?;
                let direction =
                    wxcloud::IndexDirection::from_value(&py_to_value(&dir)?).map_err(|_| bad())?;
                index = index.key(field, direction);
            }
            Ok(index)
        })
        .collect()
}

/// `file_type="json" | "csv"` for migrations.
pub fn file_type(name: &str) -> PyResult<wxcloud::FileType> {
    match name {
        "json" => Ok(wxcloud::FileType::Json),
        "csv" => Ok(wxcloud::FileType::Csv),
        _ => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "file_type must be \"json\" or \"csv\", got {name:?}"
        ))),
    }
}

/// `conflict_mode="insert" | "upsert"` for imports.
pub fn conflict_mode(name: &str) -> PyResult<wxcloud::ConflictMode> {
    match name {
        "insert" => Ok(wxcloud::ConflictMode::Insert),
        "upsert" => Ok(wxcloud::ConflictMode::Upsert),
        _ => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "conflict_mode must be \"insert\" or \"upsert\", got {name:?}"
        ))),
    }
}
