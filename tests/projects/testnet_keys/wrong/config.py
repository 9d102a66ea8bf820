api_key = "@HEXKEY@"  # expect: BL101
api_secret = "@HEXSECRET@"  # expect: BL102
