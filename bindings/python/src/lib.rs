//! The `wxcloud._native` Python extension: glue between Python and the `wxcloud` core.
use pyo3::prelude::*;

#[pymodule]
fn _native(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
