-- M27 (sql/case/list.sql) lists a company's published cases a page at a time in one of four
-- orders, each ending in `id DESC`. These indexes hold the published cases in those orders, so a
-- page reads `limit + offset` index entries instead of sorting every published case of the
-- company, and the page's total is an index-only count. A backward scan serves the ascending
-- orders (`update_date ASC NULLS FIRST` and `create_date ASC`, then an incremental sort of equal
-- dates by `id DESC`).
CREATE INDEX cases_published_update_idx ON cases (company_id, update_date DESC NULLS LAST, id DESC)
    WHERE status = 1;
CREATE INDEX cases_published_create_idx ON cases (company_id, create_date DESC, id DESC)
    WHERE status = 1;
