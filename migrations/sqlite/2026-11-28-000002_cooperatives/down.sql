DROP TABLE annual_reports;
DROP TABLE board_members;
DROP TABLE cooperatives;
