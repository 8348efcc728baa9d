// @puyu/data — The 书生·万卷-style corpus pipeline: readers/writers, operators, MinHash-LSH dedup, model scoring, synthetic data and the flywheel, exports to puyu train and InternEvo.
export {};
