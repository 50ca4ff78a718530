-- What a target needs to be judged the same way wherever it is read: the indicator as
-- the document names it beside the sentence (a table's series row), and whether it was
-- written as this year's target (the 取組項目 form's 当年度 column).
ALTER TABLE target ADD COLUMN indicator_name TEXT;
ALTER TABLE target ADD COLUMN this_year INTEGER NOT NULL DEFAULT 0;
