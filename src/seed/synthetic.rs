//! A synthetic catalog of information systems with realistic Vietnamese names, for benchmarks and for tests that need
//! more rows than the plans print. Deterministic (a fixed-seed PRNG), and every row's code starts with `syn-` so it can
//! never be mistaken for seed data.

use entities::{
    agency,
    enums::{ApprovalState, SearchKind},
    information_system,
};
use sea_orm::{
    ActiveValue::NotSet, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, PaginatorTrait, QueryOrder, Statement, TransactionTrait,
};

use super::rows::{insert_chunked, SearchRows};
use crate::{
    splitmix::SplitMix64,
    text::{clean, fold},
};

const KINDS: [&str; 12] = [
    "Hệ thống thông tin",
    "Cơ sở dữ liệu",
    "Phần mềm quản lý",
    "Cổng thông tin điện tử",
    "Hệ thống một cửa điện tử",
    "Nền tảng số",
    "Hệ thống giám sát",
    "Kho dữ liệu",
    "Phần mềm quản lý văn bản",
    "Hệ thống báo cáo",
    "Ứng dụng di động",
    "Hệ thống họp trực tuyến",
];
const SUBJECTS: [&str; 16] = [
    "đất đai",
    "hộ tịch",
    "y tế",
    "giáo dục và đào tạo",
    "nông nghiệp",
    "giao thông vận tải",
    "tài nguyên và môi trường",
    "lao động, thương binh và xã hội",
    "văn hóa, thể thao và du lịch",
    "khoa học và công nghệ",
    "tư pháp",
    "thuế",
    "xây dựng",
    "công thương",
    "nội vụ",
    "thủy sản",
];
const PLACES: [&str; 12] = [
    "tỉnh Hà Tĩnh",
    "tỉnh Quảng Ngãi",
    "tỉnh Tiền Giang",
    "tỉnh Vĩnh Long",
    "tỉnh Kiên Giang",
    "huyện Kỳ Anh",
    "thành phố Mỹ Tho",
    "huyện Phú Quốc",
    "thị xã Bình Minh",
    "huyện Đức Phổ",
    "xã Đồng Tâm",
    "phường Trần Phú",
];
const STATES: [ApprovalState; 5] = [
    ApprovalState::Proposed,
    ApprovalState::Appraised,
    ApprovalState::Approved,
    ApprovalState::Approved,
    ApprovalState::Rejected,
];

/// A deterministic stream with a pick from a list.
struct Rng(SplitMix64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// Rows per insert batch (and per progress step): large enough that the SQLite trigram index's per-batch statement runs
/// few times; small enough that the progress shows every second or two.
const BATCH: u64 = 20_000;

/// Below this many rows a load keeps its indexes: building them is not worth it.
const MIN_DEFERRED: u64 = 10_000;

/// Session settings of a bulk load's transaction. SQLite: a page cache of 256 MiB instead of 2 MiB, so the B-trees
/// being filled stay in memory rather than being re-read from disk (a connection setting that outlives the
/// transaction: harmless, the cache only grows as pages are read). PostgreSQL: more memory for the index builds at the
/// end (`maintenance_work_mem`), and a large GIN pending list for a load that keeps its indexes.
async fn bulk_session(txn: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    match txn.get_database_backend() {
        DbBackend::Sqlite => {
            txn.execute_unprepared("PRAGMA cache_size = -262144")
                .await?
        }
        _ => {
            txn.execute_unprepared(
                "SET LOCAL maintenance_work_mem = '512MB'; SET LOCAL gin_pending_list_limit = '64MB'",
            )
            .await?
        }
    };
    Ok(())
}

/// The tables a bulk load fills.
const LOADED_TABLES: &str = "('information_systems', 'search_entries')";

/// A secondary index dropped for a bulk load: its name and the statement that builds it again.
struct DeferredIndex {
    name: String,
    definition: String,
}

/// Drops the non-unique secondary indexes of the loaded tables (the five name-ordered indexes of
/// `information_systems`, the search table's B-tree and, on PostgreSQL, its trigram GIN index) and returns their
/// definitions, as the database itself states them, to build again at the end: one sort per index instead of a random
/// B-tree insert per row and index, which is most of a large load's time. Unique indexes stay, so constraints hold
/// throughout; DDL is transactional on both databases, so a load that fails leaves every index as it was.
async fn drop_secondary_indexes(
    txn: &impl ConnectionTrait,
) -> Result<Vec<DeferredIndex>, sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    let listing = match backend {
        DbBackend::Sqlite => format!(
            "SELECT name AS name, sql AS definition FROM sqlite_master WHERE type = 'index' \
             AND tbl_name IN {LOADED_TABLES} AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
        ),
        _ => format!(
            "SELECT indexname::text AS name, indexdef AS definition FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN {LOADED_TABLES} \
             AND indexdef NOT LIKE 'CREATE UNIQUE%'"
        ),
    };
    let mut deferred = Vec::new();
    for row in txn
        .query_all_raw(Statement::from_string(backend, listing))
        .await?
    {
        deferred.push(DeferredIndex {
            name: row.try_get("", "name")?,
            definition: row.try_get("", "definition")?,
        });
    }
    for index in &deferred {
        // Names come from the catalog, not from input; quoted all the same.
        txn.execute_unprepared(&format!(
            "DROP INDEX \"{}\"",
            index.name.replace('"', "\"\"")
        ))
        .await?;
    }
    Ok(deferred)
}

/// Builds the indexes [`drop_secondary_indexes`] dropped, from their own definitions.
async fn build_indexes(
    txn: &impl ConnectionTrait,
    deferred: &[DeferredIndex],
) -> Result<(), sea_orm::DbErr> {
    for index in deferred {
        tracing::info!(index = %index.name, "building index");
        txn.execute_unprepared(&index.definition).await?;
    }
    Ok(())
}

/// Inserts `count` synthetic systems owned by the seeded agencies in one transaction, calling `progress(inserted,
/// count)` after each batch (a million rows take a minute or two: the command line shows how far it has come; the
/// index builds at the end are logged). Returns how many were
/// inserted.
#[tracing::instrument(skip(db, progress))]
pub async fn generate_systems(
    db: &DatabaseConnection,
    count: u64,
    seed: u64,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, sea_orm::DbErr> {
    let agencies = agency::Entity::find()
        .order_by_asc(agency::Column::Id)
        .all(db)
        .await?;
    if agencies.is_empty() {
        return Err(sea_orm::DbErr::Custom(
            "seed the registries before generating systems".into(),
        ));
    }
    // One transaction: a load is all or nothing (the command seeds again from scratch), and its indexes are built once.
    // A load at least as large as the table drops the secondary indexes and builds them at the end; a small load into
    // a large table keeps them (rebuilding would cost more than updating).
    let existing = information_system::Entity::find().count(db).await?;
    let txn = db.begin().await?;
    bulk_session(&txn).await?;
    let deferred = if count >= existing.max(MIN_DEFERRED) {
        drop_secondary_indexes(&txn).await?
    } else {
        Vec::new()
    };
    let mut rng = Rng(SplitMix64::new(seed));
    let mut inserted = 0;
    while inserted < count {
        let n = BATCH.min(count - inserted);
        let mut search = SearchRows::default();
        let mut rows = Vec::with_capacity(n as usize);
        for i in inserted..inserted + n {
            let owner = rng.pick(&agencies);
            let name = clean(&format!(
                "{} {} {} số {}",
                rng.pick(&KINDS),
                rng.pick(&SUBJECTS),
                rng.pick(&PLACES),
                i + 1
            ));
            let code = format!("syn-{seed}-{}", i + 1);
            let folded = fold(&name);
            search.add_prepared(
                SearchKind::InformationSystem,
                code.clone(),
                name.clone(),
                folded.clone(),
            );
            let level = (rng.next() % 5) as i16 + 1;
            let state = *rng.pick(&STATES);
            rows.push(information_system::ActiveModel {
                id: NotSet,
                code: Set(code),
                name_folded: Set(folded),
                name: Set(name),
                agency_id: Set(Some(owner.id.clone())),
                province_code: Set(owner.province_code.clone()),
                description: Set(None),
                security_level: Set(Some(level)),
                approved_level: Set((state == ApprovalState::Approved).then_some(level)),
                approval_state: Set(Some(state)),
                decision_number: Set(None),
                decision_date: Set(None),
                connects_lgsp: Set(Some(rng.next().is_multiple_of(2))),
                processes_personal_data: Set(Some(level >= 2)),
                version: Set(1),
                source_file: Set(None),
                source_line: Set(None),
                source_line_end: Set(None),
                approval_printed: Set(None),
                approval_line: Set(None),
            });
        }
        insert_chunked(&txn, rows).await?;
        search.flush_bulk(&txn).await?;
        inserted += n;
        progress(inserted, count);
    }
    build_indexes(&txn, &deferred).await?;
    txn.commit().await?;
    Ok(inserted)
}
