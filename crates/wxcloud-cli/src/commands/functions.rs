//! `wxcloud functions invoke NAME [--data JSON|@file]`.

use super::Context;
use crate::cli::{ConnArgs, FunctionsAction, OutputArgs};
use crate::failure::Failure;
use crate::input;

/// Runs one functions action.
pub async fn run(
    action: FunctionsAction,
    conn: &ConnArgs,
    out: &OutputArgs,
) -> Result<(), Failure> {
    match action {
        FunctionsAction::Invoke { name, data, common } => {
            let event = match data.as_deref() {
                Some(arg) => {
                    let text = input::argument_text(arg)?;
                    serde_json::from_str::<serde_json::Value>(&text)
                        .map_err(|e| Failure::usage(format!("--data is not valid JSON: {e}")))?
                }
                None => serde_json::Value::Null,
            };
            let ctx = Context::new(&common, conn, out);
            let raw = ctx.out.raw;
            ctx.with_session(async |session, printer| {
                if raw {
                    let text = session.client.invoke_function_raw(&name, &event).await?;
                    return crate::output::print_line(&text);
                }
                let value = session.client.invoke_function(&name, &event).await?;
                printer.json(value)
            })
            .await
        }
    }
}
