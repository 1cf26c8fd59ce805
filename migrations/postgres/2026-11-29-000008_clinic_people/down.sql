DROP TABLE programme_funders;
DROP TABLE programmes;
DROP TABLE instruments;
DROP TABLE expert_expertise;
DROP TABLE experts;
DROP TABLE partners;
