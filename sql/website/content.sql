-- The radar user's company website blob. $1 company
SELECT website_content FROM companies WHERE id = $1
