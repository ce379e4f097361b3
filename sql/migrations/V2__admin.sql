-- Back office (spec §9): the company list's "hidden in the admin" flag and the counts it shows.

-- 1 显示 (default), 2 隐藏: lets a super-admin keep test companies out of the default list.
ALTER TABLE companies ADD COLUMN admin_is_hidden smallint NOT NULL DEFAULT 1;

-- The company list counts each company's customers.
CREATE INDEX customers_company_idx ON customers (company_id);
