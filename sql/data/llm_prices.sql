-- LLM prices in USD per million tokens (private.llm_prices), used to cost the ledger; operators follow the
-- providers' price changes with an update.
insert into private.llm_prices (model, input_per_mtok, output_per_mtok) values
  ('claude-sonnet-4-6', 3.00, 15.00),
  ('claude-haiku-4-5', 1.00, 5.00),
  ('text-embedding-3-small', 0.02, 0);
