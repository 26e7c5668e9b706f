//! The drawing layer of `socialcrm report`: turns plain data (dated series, labelled values,
//! rows) into one self-contained HTML page with inline SVG charts. It knows nothing of the store
//! or the platforms, so the `report` command only has to gather the numbers and call
//! [`Page::render`].
//!
//! Why our own SVG writer and not a charting crate: the page needs a `<title>`/`<desc>` and a data
//! table for every chart, escaped attacker-controlled captions, and bounded output; a charting
//! crate such as `plotters` gives less control over that markup and adds much compile time. The
//! writer is small and every part of it is unit-tested.
//!
//! Read top-down: `page` (sections and blocks, the stylesheet) -> one file per kind of block
//! (`figures`, `line`, `bars`, `stacked`, `table`) -> what they share (`chart`: colours, axes,
//! legend, placeholder) -> the pure parts (`scale`: ticks; `downsample`: bounded point counts;
//! `svg`: elements; `escape` and `format`: text). `tests/report_page.rs` parses a whole page, and
//! `scripts/check-report-in-chromium` renders it in a real browser.

pub mod bars;
pub mod chart;
pub mod downsample;
pub mod escape;
pub mod figures;
pub mod format;
pub mod line;
pub mod page;
pub mod scale;
pub mod stacked;
pub mod svg;
pub mod table;

pub use bars::{Bar, BarChart};
pub use chart::Series;
pub use downsample::Aggregation;
pub use figures::FigureCard;
pub use line::LineChart;
pub use page::{Block, Page, Section};
pub use stacked::StackedBars;
pub use table::{Cell, Table};
