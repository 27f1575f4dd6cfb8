//! The shared registries (danh mục dùng chung): plans, provinces, agencies, information systems, projects and their
//! budget lines, national databases and their links to provinces, indicators and reported figures.
//!
//! Every seeded row keeps its source (`source_file`, `source_line`, `source_line_end`) so that the API can trace it
//! back to the printed plan. `*_folded` columns hold the diacritic- and case-folded name used by search and filters.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The source columns shared by every seeded table.
fn with_source(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(string_null("source_file"))
        .col(integer_null("source_line"))
        .col(integer_null("source_line_end"))
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(Alias::new(table));
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    stmt.to_owned()
}

const TABLES: [&str; 10] = [
    "reported_figures",
    "indicators",
    "national_database_links",
    "national_databases",
    "project_budgets",
    "projects",
    "information_systems",
    "agencies",
    "plans",
    "provinces",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("provinces")
                    .col(string("code").primary_key())
                    .col(string("slug"))
                    .col(string("name"))
                    .col(string("name_folded"))
                    .col(string("committee_name"))
                    .col(string_null("agency_code"))
                    .col(string_null("agency_code_note"))
                    .col(string_null("merged_into_code"))
                    .col(string_null("merged_into_name"))
                    .col(string_null("merger_resolution"))
                    .col(string_null("merger_effective"))
                    .col(string_null("merger_note"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                with_source(
                    Table::create()
                        .table("plans")
                        .col(string("id").primary_key())
                        .col(string("province_code"))
                        .col(string_null("number"))
                        .col(string_null("issued_on"))
                        .col(text("title"))
                        .col(string("title_folded"))
                        .col(integer_null("period_start"))
                        .col(integer_null("period_end")),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                with_source(
                    Table::create()
                        .table("agencies")
                        .col(string("id").primary_key())
                        .col(string_null("code").unique_key())
                        .col(string("name"))
                        .col(string("name_folded"))
                        .col(string("kind"))
                        .col(string("province_code"))
                        .col(string_null("parent_id")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_agencies_province",
                "agencies",
                &["province_code", "name", "id"],
            ))
            .await?;
        manager
            .create_index(index("ix_agencies_name", "agencies", &["name", "id"]))
            .await?;

        manager
            .create_table(
                with_source(
                    Table::create()
                        .table("information_systems")
                        .col(big_pk_auto("id"))
                        .col(string("code").unique_key())
                        .col(string("name"))
                        .col(string("name_folded"))
                        .col(string_null("agency_id"))
                        .col(string("province_code"))
                        .col(text_null("description"))
                        .col(small_integer_null("security_level"))
                        .col(string_null("approval_state"))
                        .col(string_null("decision_number"))
                        .col(string_null("decision_date"))
                        .col(boolean_null("connects_lgsp"))
                        .col(boolean_null("processes_personal_data"))
                        .col(integer("version").default(1)),
                )
                .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_systems_name", &["name", "id"][..]),
            (
                "ix_systems_level_name",
                &["security_level", "name", "id"][..],
            ),
            (
                "ix_systems_province_name",
                &["province_code", "name", "id"][..],
            ),
            ("ix_systems_agency_name", &["agency_id", "name", "id"][..]),
            (
                "ix_systems_state_name",
                &["approval_state", "name", "id"][..],
            ),
        ] {
            manager
                .create_index(index(name, "information_systems", cols))
                .await?;
        }

        manager
            .create_table(
                with_source(
                    Table::create()
                        .table("projects")
                        .col(big_pk_auto("id"))
                        .col(string("key").unique_key())
                        .col(string_null("ref"))
                        .col(text("name"))
                        .col(text("name_folded"))
                        .col(string_null("lead_agency_id"))
                        .col(string("province_code"))
                        .col(string("plan_id"))
                        .col(integer_null("year_start"))
                        .col(integer_null("year_end"))
                        .col(string_null("funding_source"))
                        .col(string_null("funding_printed"))
                        .col(string_null("status"))
                        .col(string_null("total_printed"))
                        .col(big_integer_null("total_vnd"))
                        .col(double_null("total_number"))
                        .col(string_null("unit"))
                        .col(integer_null("unit_line")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_projects_province",
                "projects",
                &["province_code", "id"],
            ))
            .await?;
        manager
            .create_index(index("ix_projects_plan", "projects", &["plan_id", "id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("project_budgets")
                    .col(big_pk_auto("id"))
                    .col(big_integer("project_id"))
                    .col(integer_null("year"))
                    .col(string("amount_printed"))
                    .col(big_integer_null("amount_vnd"))
                    .col(string_null("funding_source"))
                    .col(string_null("funding_printed"))
                    .col(integer_null("source_line"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_budgets_project",
                "project_budgets",
                &["project_id"],
            ))
            .await?;

        manager
            .create_table(
                with_source(
                    Table::create()
                        .table("national_databases")
                        .col(string("id").primary_key())
                        .col(string("name"))
                        .col(string("name_folded"))
                        .col(string_null("owner"))
                        .col(string_null("owner_note"))
                        .col(string("kind")),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                with_source(
                    Table::create()
                        .table("national_database_links")
                        .col(big_pk_auto("id"))
                        .col(string("national_database_id"))
                        .col(string("province_code"))
                        .col(string("plan_id"))
                        .col(string("status"))
                        .col(text("quote")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_links_database",
                "national_database_links",
                &["national_database_id", "province_code"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_links_province",
                "national_database_links",
                &["province_code"],
            ))
            .await?;

        manager
            .create_table(
                with_source(
                    Table::create()
                        .table("indicators")
                        .col(big_pk_auto("id"))
                        .col(string("key").unique_key())
                        .col(string("plan_id"))
                        .col(string("province_code"))
                        .col(text("name"))
                        .col(text("name_folded"))
                        .col(string("value_printed"))
                        .col(double_null("value"))
                        .col(string_null("unit"))
                        .col(integer_null("year")),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                with_source(
                    Table::create()
                        .table("reported_figures")
                        .col(big_pk_auto("id"))
                        .col(string("key").unique_key())
                        .col(string("plan_id"))
                        .col(string("province_code"))
                        .col(text("label"))
                        .col(string_null("metric"))
                        .col(string_null("scope"))
                        .col(string_null("funding_printed"))
                        .col(string("value_printed"))
                        .col(double_null("value"))
                        .col(string_null("unit"))
                        .col(text_null("quote")),
                )
                .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
