-- Sets a product's list order. $1 id, $2 recommend_index (0–10)
UPDATE products SET recommend_index = $2 WHERE id = $1
