//! Keyboard focus by element id, for controls in other components (the dialog hands focus
//! back to the Run button that opened it, say). Nothing here presses a button: components
//! share what a button does through the page's state (`Playground::run_token_cell`).

use leptos::prelude::document;
use wasm_bindgen::JsCast;

/// The id of a cell's Run button, which dialogs hand focus back to.
pub fn run_button_id(cell_id: &str) -> String {
    format!("run-{cell_id}")
}

/// Moves keyboard focus to the element with this id, if there is one; `scroll` brings it into
/// view first.
pub fn focus(id: &str, scroll: bool) {
    if let Some(element) = element(id) {
        if scroll {
            element.scroll_into_view();
        }
        let _ = element.focus();
    }
}

fn element(id: &str) -> Option<web_sys::HtmlElement> {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}
