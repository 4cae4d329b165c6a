"""The milestone catalogue: TOML → validated models, rules → due dates, rules in Chinese. Pure: no database."""
