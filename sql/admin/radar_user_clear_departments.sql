-- Removes a radar user from every department. $1 radar user
DELETE FROM radar_user_departments WHERE user_id = $1
