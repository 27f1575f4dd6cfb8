//! The console's labels, from one catalogue per language, so that an English console is a file, not a fork.

/// The label for `key` in the console's language (Vietnamese). An unknown key shows itself, so a missing label is
/// visible on the page and caught by the tests.
pub fn t(key: &'static str) -> &'static str {
    match key {
        "app.title" => "Nền tảng tích hợp, chia sẻ dữ liệu",
        "catalog.title" => "Danh mục dùng chung",
        _ => key,
    }
}
