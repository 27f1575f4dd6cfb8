//! The word lists the mock data is drawn from: real provinces (administrative codes of QĐ 124/2004 as used in personal
//! numbers; tax-office prefixes *unverified*), communes, Vietnamese family, middle and given names, and the vocabulary
//! of the other registers. Province names are those before the 2025 merger, as the seed plans name them.

pub struct Province {
    /// Administrative code (2 digits; `0` + it is the `PPP` of a personal number).
    pub code: u16,
    pub name: &'static str,
    /// `tỉnh` or `thành phố`.
    pub kind: &'static str,
    /// First two digits of enterprise tax codes registered there *(unverified)*.
    pub tax: u16,
    pub communes: [&'static str; 4],
    /// Relative share of the population (the seed provinces weigh more).
    pub weight: u32,
}

const fn p(
    code: u16,
    name: &'static str,
    kind: &'static str,
    tax: u16,
    communes: [&'static str; 4],
    weight: u32,
) -> Province {
    Province {
        code,
        name,
        kind,
        tax,
        communes,
        weight,
    }
}

#[rustfmt::skip]
pub const PROVINCES: [Province; 14] = [
    p(42, "Hà Tĩnh", "tỉnh", 30, ["phường Thành Sen", "phường Trần Phú", "xã Thạch Hà", "xã Cẩm Xuyên"], 14),
    p(51, "Quảng Ngãi", "tỉnh", 43, ["phường Cẩm Thành", "phường Nghĩa Lộ", "xã Bình Sơn", "xã Sơn Tịnh"], 14),
    p(82, "Tiền Giang", "tỉnh", 12, ["phường Mỹ Tho", "phường Đạo Thạnh", "xã Cái Bè", "xã Chợ Gạo"], 14),
    p(86, "Vĩnh Long", "tỉnh", 15, ["phường Long Châu", "phường Phước Hậu", "xã Long Hồ", "xã Trà Ôn"], 14),
    p(91, "Kiên Giang", "tỉnh", 17, ["phường Rạch Giá", "phường Vĩnh Thông", "xã Kiên Lương", "đặc khu Phú Quốc"], 14),
    p(1, "Hà Nội", "thành phố", 1, ["phường Hoàn Kiếm", "phường Ba Đình", "phường Cầu Giấy", "xã Sóc Sơn"], 6),
    p(79, "Hồ Chí Minh", "thành phố", 3, ["phường Sài Gòn", "phường Bến Thành", "phường Tân Định", "xã Củ Chi"], 6),
    p(48, "Đà Nẵng", "thành phố", 4, ["phường Hải Châu", "phường Thanh Khê", "phường Sơn Trà", "xã Hòa Vang"], 3),
    p(40, "Nghệ An", "tỉnh", 29, ["phường Vinh Phú", "phường Cửa Lò", "xã Nghi Lộc", "xã Diễn Châu"], 3),
    p(62, "Kon Tum", "tỉnh", 61, ["phường Kon Tum", "phường Đăk Cấm", "xã Đăk Hà", "xã Ngọc Hồi"], 2),
    p(83, "Bến Tre", "tỉnh", 13, ["phường Bến Tre", "phường An Hội", "xã Châu Thành", "xã Mỏ Cày"], 3),
    p(84, "Trà Vinh", "tỉnh", 21, ["phường Trà Vinh", "phường Nguyệt Hóa", "xã Cầu Kè", "xã Tiểu Cần"], 3),
    p(87, "Đồng Tháp", "tỉnh", 14, ["phường Cao Lãnh", "phường Sa Đéc", "xã Tháp Mười", "xã Lấp Vò"], 3),
    p(89, "An Giang", "tỉnh", 16, ["phường Long Xuyên", "phường Châu Đốc", "xã Tịnh Biên", "xã Phú Tân"], 3),
];

pub fn province_weights() -> impl Iterator<Item = u32> + Clone {
    PROVINCES.iter().map(|p| p.weight)
}

#[rustfmt::skip]
/// Family names (họ) with their approximate shares in percent.
pub const FAMILY: [(&str, u32); 16] = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4), ("Vũ", 4),
    ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1), ("Lý", 1),
];
#[rustfmt::skip]
pub const MIDDLE_MALE: [&str; 10] =
    ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc", "Anh"];
#[rustfmt::skip]
pub const MIDDLE_FEMALE: [&str; 10] =
    ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Phương", "Thùy", "Kim", "Mỹ"];
#[rustfmt::skip]
pub const GIVEN_MALE: [&str; 30] = [
    "Anh", "Bảo", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh", "Khoa", "Long",
    "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh",
    "Lộc", "Tâm",
];
#[rustfmt::skip]
pub const GIVEN_FEMALE: [&str; 30] = [
    "An", "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huyền", "Hương", "Lan", "Linh",
    "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thu", "Trang", "Tuyết", "Vân",
    "Yến",
];

#[rustfmt::skip]
pub const ETHNICITIES: [(&str, u32); 8] = [
    ("Kinh", 860), ("Khmer", 40), ("Hoa", 20), ("Tày", 15), ("Thái", 15), ("Mường", 15), ("Xơ Đăng", 10),
    ("Ba Na", 10),
];
#[rustfmt::skip]
pub const RELIGIONS: [(&str, u32); 6] = [
    ("Không", 80), ("Phật giáo", 10), ("Công giáo", 6), ("Cao Đài", 2), ("Phật giáo Hòa Hảo", 1), ("Tin lành", 1),
];
#[rustfmt::skip]
pub const STREETS: [&str; 10] = [
    "Trần Phú", "Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Quang Trung", "Phan Đình Phùng", "Lý Thường Kiệt",
    "Nguyễn Du", "Hùng Vương", "Lê Duẩn",
];
/// Relation to the household head, by `Citizen::relation`.
pub const RELATIONS: [&str; 3] = ["Chủ hộ", "Vợ", "Con"];

/// (Vietnamese, English) sector words of enterprise names.
pub const SECTORS: [(&str, &str); 10] = [
    ("Thương mại và Dịch vụ", "Trading and Services"),
    ("Xây dựng", "Construction"),
    ("Đầu tư và Phát triển", "Investment and Development"),
    ("Nông sản", "Agricultural Products"),
    ("Thủy sản", "Seafood"),
    ("Vận tải", "Transport"),
    ("Công nghệ", "Technology"),
    ("Sản xuất", "Manufacturing"),
    ("Du lịch", "Tourism"),
    ("Môi trường", "Environment"),
];
/// (brand, its ASCII spelling).
#[rustfmt::skip]
pub const BRANDS: [(&str, &str); 14] = [
    ("Hồng Lĩnh", "Hong Linh"), ("Sông La", "Song La"), ("Thiên Ấn", "Thien An"), ("Trà Khúc", "Tra Khuc"),
    ("Cửu Long", "Cuu Long"), ("Hà Tiên", "Ha Tien"), ("Hoàng Long", "Hoang Long"), ("Phú Quý", "Phu Quy"),
    ("An Phát", "An Phat"), ("Minh Châu", "Minh Chau"), ("Tân Thành", "Tan Thanh"), ("Đại Dương", "Dai Duong"),
    ("Sao Mai", "Sao Mai"), ("Thành Công", "Thanh Cong"),
];
/// VSIC 2018 level-4 codes.
pub const BUSINESS_LINES: [(&str, &str); 12] = [
    ("4100", "Xây dựng nhà các loại"),
    ("4620", "Bán buôn nông, lâm sản nguyên liệu (trừ gỗ, tre, nứa) và động vật sống"),
    ("4933", "Vận tải hàng hóa bằng đường bộ"),
    ("6201", "Lập trình máy vi tính"),
    ("1020", "Chế biến, bảo quản thủy sản và các sản phẩm từ thủy sản"),
    ("5610", "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động"),
    ("4711", "Bán lẻ lương thực, thực phẩm, đồ uống, thuốc lá, thuốc lào chiếm tỷ trọng lớn trong cửa hàng kinh doanh tổng hợp"),
    ("0322", "Nuôi trồng thủy sản nội địa"),
    ("4659", "Bán buôn máy móc, thiết bị và phụ tùng máy khác"),
    ("5510", "Dịch vụ lưu trú ngắn ngày"),
    ("6810", "Kinh doanh bất động sản, quyền sử dụng đất thuộc chủ sở hữu, chủ sử dụng hoặc đi thuê"),
    ("7020", "Hoạt động tư vấn quản lý"),
];
pub const TITLES: [&str; 4] = [
    "Giám đốc",
    "Tổng Giám đốc",
    "Chủ tịch Hội đồng quản trị",
    "Chủ tịch công ty",
];

/// Land-use types (codes of the land-law statistics).
#[rustfmt::skip]
pub const LAND_USE: [(&str, u32); 7] = [
    ("ONT", 30), ("ODT", 15), ("LUC", 20), ("CLN", 15), ("NTS", 8), ("BHK", 7), ("RSX", 5),
];
pub const BANKS: [&str; 4] = [
    "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam",
    "Ngân hàng TMCP Công thương Việt Nam",
    "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam",
    "Ngân hàng TMCP Ngoại thương Việt Nam",
];
