//! The guard, case by case: for every kind, what it must stop and the
//! look-alikes it must let through. Each table row is one message and the
//! kinds expected in it, in order.

use super::SecretKind::{self, *};
use super::{blocks, redact, Finding, Guard};
use crate::locale::Locale;

/// Runs every row and reports all failures at once.
fn check(cases: &[(&str, &[SecretKind])]) {
    let guard = Guard::new(&["example.com"]);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(text, want)| {
            let got: Vec<SecretKind> = guard.scan(text).iter().map(|f| f.kind).collect();
            (got != want).then(|| format!("  {text:?}\n    want {want:?}, got {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

// Real-looking public data that must always pass.
const BTC_TXID: &str = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";
const ETH_TXID: &str = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060";
const TRON_TXID: &str = "a90e3b855b871337deb0a0df3bc5618216df0064badc23a9a03f999ed1a7ce97";
const SOL_SIG: &str = "4g1S9YxY2GH41cbK3eKK247a686UdYNYSQx8KRjSTCKSYSPDQ86fUE27iasKoncDgxC5KJ3KBcYVUjxjQHmXaiiy";
const SOL_SIG_87: &str = "115sZB8mKsj5UZdwRh7qvjye5kBrvHnLExomHZW69145MfM33H1EEPm6QcWZz4LHFPUeSPt9NRQ5xM5tT8XbY6P";

#[test]
fn seed_phrases() {
    check(&[
        // Official BIP-39 test vectors (trezor/python-mnemonic vectors.json).
        ("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", &[SeedPhrase]),
        ("legal winner thank year wave sausage worth useful legal winner thank yellow", &[SeedPhrase]),
        ("letter advice cage absurd amount doctor acoustic avoid letter advice cage above", &[SeedPhrase]),
        ("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong", &[SeedPhrase]),
        ("scheme spot photo card baby mountain device kick cradle pact join borrow", &[SeedPhrase]),
        (
            "hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy gospel \
             tennis maple dilemma loan word shrug inflict delay length",
            &[SeedPhrase],
        ),
        (
            "void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing screen \
             patrol group space point ten exist slush involve unfold",
            &[SeedPhrase],
        ),
        ("gravity machine north sort system female filter attitude volume fold club stay feature office ecology stable narrow fog", &[SeedPhrase]),
        // Separators: numbering, commas, newlines, capitals.
        ("1. cat 2. swing 3. flag 4. economy 5. stadium 6. alone 7. churn 8. speed 9. unique 10. patch 11. report 12. train", &[SeedPhrase]),
        ("1) vessel 2) ladder 3) alter 4) error 5) federal 6) sibling 7) chat 8) ability 9) sun 10) glass 11) valve 12) picture", &[SeedPhrase]),
        ("ozone, drill, grab, fiber, curtain, grace, pudding, thank, cruise, elder, eight, picnic", &[SeedPhrase]),
        ("ozone\ndrill\ngrab\nfiber\ncurtain\ngrace\npudding\nthank\ncruise\nelder\neight\npicnic", &[SeedPhrase]),
        ("Legal Winner Thank Year Wave Sausage Worth Useful Legal Winner Thank Yellow", &[SeedPhrase]),
        ("ｌｅｇａｌ ｗｉｎｎｅｒ ｔｈａｎｋ ｙｅａｒ ｗａｖｅ ｓａｕｓａｇｅ ｗｏｒｔｈ ｕｓｅｆｕｌ ｌｅｇａｌ ｗｉｎｎｅｒ ｔｈａｎｋ ｙｅｌｌｏｗ", &[SeedPhrase]),
        ("net add foam river era equal confirm box february feature silent farm parade story manual", &[SeedPhrase]),
        // Inside a message; twelve list words with a wrong checksum still count.
        ("my seed phrase is: scheme spot photo card baby mountain device kick cradle pact join borrow please help", &[SeedPhrase]),
        ("abandon ability able about above absent absorb abstract absurd abuse access accident", &[SeedPhrase]),
        // Four-letter abbreviations, trusted with a valid checksum only.
        ("legal winn than year wave saus wort usef legal winn than yell", &[SeedPhrase]),
        ("legal winn than year wave saus wort usef legal winn than year", &[]),
        // Not a mnemonic.
        ("abandon ability able about above absent absorb abstract absurd abuse access", &[]),
        ("Can you tell me about the extra fee that I noticed on my account after a card top up yesterday?", &[]),
        (
            "Hello, I have a question concerning an unfamiliar fee that I notice on my account. I see that you guys \
             charge for ATM withdrawal. Never notice this fee until now. Can you please explain?",
            &[],
        ),
        ("What is a seed phrase and where do I find my recovery phrase after I reinstall the wallet app?", &[]),
        ("I lost my seed phrase, can you help me recover my wallet? I still have the old phone.", &[]),
        ("Please cancel this transfer, I want to move the money to my other account as soon as possible today", &[]),
        // Chinese, spaced or numbered: no label needed.
        ("羊 滑 亮 莫 材 缴 人 模 他 聚 凡 缘", &[SeedPhrase]),
        ("1.羊 2.滑 3.亮 4.莫 5.材 6.缴 7.人 8.模 9.他 10.聚 11.凡 12.缘", &[SeedPhrase]),
        ("羊，滑，亮，莫，材，缴，人，模，他，聚，凡，缘", &[SeedPhrase]),
        ("羊、滑、亮、莫、材、缴、人、模、他、聚、凡", &[]),
        // Chinese, written together: exact length, checksum and a label.
        ("助记词：的的的的的的的的的的的在", &[SeedPhrase]),
        ("我的助记词是蒙台脱纪构硫浆霉感仅鱼汤", &[SeedPhrase]),
        ("种子 伐旱泡口线揭县杨断芳额件", &[SeedPhrase]),
        ("恢复短语 父泥炼胁鞋控载政惨逐整碗环惯案棒订移", &[SeedPhrase]),
        ("mnemonic: 柄需固姆色斥霍握宾琴况团抵经摸郭沙鸣拖妙阳辈掉迁", &[SeedPhrase]),
        ("麦允碧丘炸别屏相胸童摸旺 是我的助记词", &[SeedPhrase]),
        ("麦允碧丘炸别屏相胸童摸旺是我的助记词", &[SeedPhrase]),
        ("“蒙台脱纪构硫浆霉感仅鱼汤” 这是助记词", &[SeedPhrase]),
        ("麦允碧丘炸别屏相胸童摸旺", &[]),
        ("助记词 “麦允碧丘炸别屏相胸童摸旺”", &[SeedPhrase]),
        ("seed = 麦允碧丘炸别屏相胸童摸旺", &[SeedPhrase]),
        // Twelve characters that happen to carry a valid checksum, in the
        // next clause after the label: not named by it.
        ("请勿发送密码、谷歌验证码、短信验证码、助记词或私钥，我们从不需要这些，索要的人一定不是官方客服。", &[]),
        ("助记词，麦允碧丘炸别屏相胸童摸旺", &[]),
        ("助记词：芳剩该告傅齐杀仿机柔伸的", &[]),
        ("我的助记词丢了怎么办，以前写在一张纸上但是现在找不到了", &[]),
        ("请问助记词和私钥有什么区别，我应该怎么保管它们才安全", &[]),
        ("我昨天从另一个交易所提币到你们平台，已经过了三个小时还没有到账，请问是什么原因？", &[]),
        ("我在你们的平台上充值了一千个但是到现在都没有到账请帮我查一下是什么原因谢谢你们", &[]),
        ("你好 我 想 问 一下 为 什 么 我 的 钱 还 没 到", &[]),
    ]);
}

#[test]
fn private_keys() {
    check(&[
        // Hex keys only with a label.
        ("private key: 0x4f79535ad30c5baad27f885137c313f07166ebb39c74720c62cca88e238eb3cc", &[PrivateKey]),
        ("my private key is 4f79535ad30c5baad27f885137c313f07166ebb39c74720c62cca88e238eb3cc", &[PrivateKey]),
        ("Private_Key = 4162d7c2599acf009b926bdca4eee2e26df2562b91ab2f789e73654b0c177df3", &[PrivateKey]),
        ("priv key 4162d7c2599acf009b926bdca4eee2e26df2562b91ab2f789e73654b0c177df3", &[PrivateKey]),
        ("pk: 4162d7c2599acf009b926bdca4eee2e26df2562b91ab2f789e73654b0c177df3", &[PrivateKey]),
        ("secret key: 4162d7c2599acf009b926bdca4eee2e26df2562b91ab2f789e73654b0c177df3", &[PrivateKey]),
        ("私钥：a90e3b855b871337deb0a0df3bc5618216df0064badc23a9a03f999ed1a7ce97", &[PrivateKey]),
        ("这是我的私钥 0xa90e3b855b871337deb0a0df3bc5618216df0064badc23a9a03f999ed1a7ce97", &[PrivateKey]),
        ("0x4f79535ad30c5baad27f885137c313f07166ebb39c74720c62cca88e238eb3cc is my private key", &[PrivateKey]),
        ("a90e3b855b871337deb0a0df3bc5618216df0064badc23a9a03f999ed1a7ce97 是我的私钥", &[PrivateKey]),
        // WIF, with a valid checksum, needs no label.
        ("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", &[PrivateKey]),
        ("5JFQpdsxq2dNqzCuJFH7NtnSbShdLgL2UJozsK9ECxEm9VZE3rB", &[PrivateKey]),
        ("import this: Ky8c9FmwQzBZRDVXq8279dZZy2SKPrayVXcSR55KHkojrFh3f6bN", &[PrivateKey]),
        ("L5GLNYD5Fw3Krtcsu26h1BFHgcK1opTBjXaQ7iVCLfixpZWt9Eo2", &[PrivateKey]),
        ("testnet 9223QNhWRFhWp3iBvbB2FVLQF74LVqsDpFfwwwVjYgyovX9c5Q8", &[PrivateKey]),
        ("cPVbcAmnr3spaexoDXqEWx4dbFjj4JgfZZkuXVXpnsTk6zo7tGMJ", &[PrivateKey]),
        ("5JFQpdsxq2dNqzCuJFH7NtnSbShdLgL2UJozsK9ECxEm9VZE3rA", &[]),
        ("private key 5JFQpdsxq2dNqzCuJFH7NtnSbShdLgL2UJozsK9ECxEm9VZE3rA", &[PrivateKey]),
        // Extended keys (BIP-32 test vector 1 and its zprv/tprv/zpub twins).
        (
            "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
            &[PrivateKey],
        ),
        (
            "my xpub xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
            &[PrivateKey],
        ),
        (
            "zprvAWgYBBk7JR8GjzqSzmunMCS7dAbwpYTCs1YUMDXqduMA5JFHZ3iX5s2UkAR6vBdcCYYa1S5o1fVLrKsrnpCQ4WpUd6aVUWP1bS2Yy5DoaKv",
            &[PrivateKey],
        ),
        (
            "zpub6jftahH18ngZxUuv6oSniLNrBCSSE1B4EEU59bwTCEt8x6aS6b2mdfLxbMZP1MnCcGzZutCigREoTmRegUgwpNQe96tsKqC4XHunj9MM1TA",
            &[PrivateKey],
        ),
        (
            "tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m",
            &[PrivateKey],
        ),
        // A damaged xprv is still private; a damaged xpub is nothing.
        (
            "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHj",
            &[PrivateKey],
        ),
        (
            "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet9",
            &[],
        ),
        // Solana: a secret only when labelled; the same shape is a signature.
        (
            "Solana private key: cKVHLSsA1fzwQGDNmds1c6K8ZpnsiYXRrQ5e2V1EG7B1yDVsKHyNRsRFJZTKAdiGTWRcSv61Li7PbaJ8fDLyAp8",
            &[PrivateKey],
        ),
        ("私钥 cKVHLSsA1fzwQGDNmds1c6K8ZpnsiYXRrQ5e2V1EG7B1yDVsKHyNRsRFJZTKAdiGTWRcSv61Li7PbaJ8fDLyAp8", &[PrivateKey]),
        (
            "[37,233,212,99,196,253,204,124,75,2,54,217,112,90,237,25,127,62,233,68,237,162,226,218,228,81,243,230,132,\
             126,141,248,122,140,225,39,146,120,139,171,163,41,70,77,118,196,78,109,32,212,208,169,238,212,31,105,215,\
             199,10,194,244,3,180,152]",
            &[PrivateKey],
        ),
        ("[1, 2, 3, 4, 5, 6, 7, 8]", &[]),
        // Public data.
        (BTC_TXID, &[]),
        (ETH_TXID, &[]),
        (TRON_TXID, &[]),
        (SOL_SIG, &[]),
        (SOL_SIG_87, &[]),
        ("TxID: 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", &[]),
        ("my withdrawal hash is 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060, where is it?", &[]),
        (
            "I never shared my private key. The tx hash is 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",
            &[],
        ),
        (
            "私钥我没有给过别人，交易哈希 a90e3b855b871337deb0a0df3bc5618216df0064badc23a9a03f999ed1a7ce97",
            &[],
        ),
        ("transaction signature 4g1S9YxY2GH41cbK3eKK247a686UdYNYSQx8KRjSTCKSYSPDQ86fUE27iasKoncDgxC5KJ3KBcYVUjxjQHmXaiiy", &[]),
        ("send to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq please", &[]),
        ("BTC address 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", &[]),
        ("ETH address 0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe", &[]),
        ("TRON address TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7, USDT TRC20", &[]),
        ("Solana address 9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM", &[]),
        ("What is a private key and why should I never share my 私钥?", &[]),
    ]);
}

#[test]
fn api_secrets() {
    check(&[
        ("7w7EAdnkGEiNgQI7W4E4PXSKc1itTnzphAq0jT7qG84IQH4GvjJRSmNtVNro2Qgf", &[ApiSecret]),
        (
            "API Key: 7w7EAdnkGEiNgQI7W4E4PXSKc1itTnzphAq0jT7qG84IQH4GvjJRSmNtVNro2Qgf Secret Key: \
             Q562DFob1RCAVxIoQKvcjtbjAHE84s5JiC1XljJbICTX57y3C5WNrPqGWxj43anv",
            &[ApiSecret, ApiSecret],
        ),
        ("api secret = Ab3dEf9hIj2kLm4nOp", &[ApiSecret]),
        ("apiSecret: Ab3dEf9hIj2kLm4nOp", &[ApiSecret]),
        ("secretKey=2b7e151628aed2a6abf7158809cf4f3c", &[ApiSecret]),
        ("API 密钥 abcd1234efgh5678", &[ApiSecret]),
        ("API密钥：abcd1234efgh5678", &[ApiSecret]),
        ("密钥：k8Hd92JfLq0Zx7Vb", &[ApiSecret]),
        ("API密钥 4162d7c2599acf009b926bdca4eee2e26df2562b91ab2f789e73654b0c177df3", &[ApiSecret]),
        ("my api key is 3f2b8c1e-4a5d-4e6f-9a0b-1c2d3e4f5a6b", &[ApiSecret]),
        ("access key AKIAIOSFODNN7EXAMPLE", &[ApiSecret]),
        ("my api key is not working since yesterday", &[]),
        ("How do I create an API key for the trading bot?", &[]),
        ("API key permissions: can I enable withdrawals?", &[]),
        ("API密钥怎么创建？", &[]),
        ("api key authentication failed with error 401", &[]),
        ("the secret key field is empty in my settings", &[]),
        // 64 characters, but not in both cases with digits: hashes, words.
        ("4A5E1E4BAAB89F3A32518A88C31BC87F618F76673E2CC77AB2127B7AFDEDA33B", &[]),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &[]),
    ]);
}

#[test]
fn passwords() {
    check(&[
        ("my password is hunter22!", &[Password]),
        ("password: Tr0ub4dor&3", &[Password]),
        ("pwd=qwerty123", &[Password]),
        ("pass: s3cr3tpass", &[Password]),
        ("password - correcthorse99", &[Password]),
        ("password-protected file", &[]),
        ("Login alice@example.com / password: Winter2024", &[Password]),
        ("password: banana", &[Password]),
        ("my old password was Pa55word and the new one fails", &[Password]),
        ("my PIN is 4821", &[Password]),
        ("ｍｙ ｐａｓｓｗｏｒｄ ｉｓ ｈｕｎｔｅｒ２２", &[Password]),
        ("密码是 abc12345", &[Password]),
        ("密码：Abc@2024", &[Password]),
        ("登录密码 Xy7Kp2mQ", &[Password]),
        ("资金密码是a1b2c3d4", &[Password]),
        ("我的密码是123456吗？", &[Password]),
        ("I forgot my password", &[]),
        ("my password is wrong", &[]),
        ("my password is not working", &[]),
        ("my password is incorrect", &[]),
        ("my password is too short", &[]),
        ("my password is expired, what now?", &[]),
        ("my password is 8 characters long", &[]),
        ("password must be 8-20 characters", &[]),
        ("reset password", &[]),
        ("How do I reset my password?", &[]),
        ("Password: forgot it", &[]),
        ("password: ****", &[]),
        ("Is my password case sensitive?", &[]),
        ("I changed my password yesterday and now I can't log in", &[]),
        ("What are the password requirements?", &[]),
        ("my PIN is blocked", &[]),
        ("Where can I find my PIN?", &[]),
        ("pass the card details to the merchant", &[]),
        ("密码是不是错了", &[]),
        ("密码忘了", &[]),
        ("密码错误次数太多被锁了", &[]),
        ("密码是6位数字吗", &[]),
        ("资金密码是8-16位吗", &[]),
        ("怎么修改登录密码？", &[]),
        ("reset password 2024-05-01 but nothing happened", &[]),
        ("wrong password: error", &[]),
        // The value before the label, and words between label and value.
        ("hunter22 is my password", &[Password]),
        ("Hunter22! is the password", &[Password]),
        ("S3cret-pass was my old password", &[Password]),
        ("abc12345是我的密码", &[Password]),
        ("Abc@2024 是密码", &[Password]),
        ("密码我设的是abc12345", &[Password]),
        ("密码现在改成了 Xy7Kp2mQ", &[Password]),
        ("MY PASSWORD IS HUNTER22", &[Password]),
        ("my password is\nhunter22", &[Password]),
        ("what is my password", &[]),
        ("this is the password I use everywhere?", &[]),
        ("alice@example.com is the password reset address", &[]),
        ("2024-05-01 is when my password expired", &[]),
        ("密码我设的是什么来着", &[]),
        ("密码我忘了", &[]),
    ]);
}

#[test]
fn otp_codes() {
    check(&[
        ("my 2FA code is 123456", &[OtpCode]),
        ("Google Authenticator 482913", &[OtpCode]),
        ("Google Authenticator: 482 913", &[OtpCode]),
        ("SMS code: 123456", &[OtpCode]),
        ("verification code 654321", &[OtpCode]),
        ("OTP 123456", &[OtpCode]),
        ("e-mail code 5521", &[OtpCode]),
        ("one-time code: 93817402", &[OtpCode]),
        ("123456 is my 2FA code", &[OtpCode]),
        ("验证码是 123456", &[OtpCode]),
        ("谷歌验证码：123456", &[OtpCode]),
        ("短信验证码 123456", &[OtpCode]),
        ("邮箱验证码123456", &[OtpCode]),
        ("动态码 889900", &[OtpCode]),
        ("验证码１２３４５６", &[OtpCode]),
        ("123456是我的验证码", &[OtpCode]),
        ("order 123456", &[]),
        ("UID 12345678", &[]),
        ("I sent 123456 USDT", &[]),
        ("I didn't get the verification code", &[]),
        ("verification code not received for order 123456", &[]),
        ("my 2FA code is 6 digits, right?", &[]),
        ("my 2FA is broken, UID 12345678", &[]),
        ("I withdrew 1234.56 USDT and the SMS code never came", &[]),
        ("Google Authenticator lost, account 88776655", &[]),
        ("验证码收不到", &[]),
        ("订单号123456的验证码没收到", &[]),
        ("没收到验证码，订单号 123456", &[]),
        ("验证码是6位数吗", &[]),
        ("UID：１２３４５６７８", &[]),
        ("I reset 2FA 2024-05-01 and lost access", &[]),
        ("Google Authenticator 2024 update broke my login", &[]),
        ("2FA code: 2024", &[OtpCode]),
        ("SMS code arrived at 12:30", &[]),
        // Labels spread out, or after the value.
        ("the code I got by SMS: 123456", &[OtpCode]),
        ("482913 is the code from google authenticator", &[OtpCode]),
        ("The email they sent me has the code: 778899", &[OtpCode]),
        ("短信里的码是 556677", &[OtpCode]),
        ("I didn't get the SMS code, order: 123456", &[]),
        ("the SMS code never came, my UID is 12345678", &[]),
        ("the code in the email is 6 digits", &[]),
        ("I got an SMS about order 123456", &[]),
    ]);
}

#[test]
fn unofficial_links() {
    check(&[
        ("log in at https://evil-exchange.com/login", &[UnofficialLink]),
        ("evil-exchange.com/login", &[UnofficialLink]),
        ("support is on t.me/xyz", &[UnofficialLink]),
        ("HTTP://EXAMP1E.COM", &[UnofficialLink]),
        ("https://example.com.evil.io/x", &[UnofficialLink]),
        ("https://example.com@evil.io/", &[UnofficialLink]),
        ("www.fake-support.net", &[UnofficialLink]),
        ("https://bіnance.com/login", &[UnofficialLink]),
        ("http://1.2.3.4:8080/claim", &[UnofficialLink]),
        ("链接：https://evil.io/x，请看", &[UnofficialLink]),
        ("https://example.com/help", &[]),
        ("https://www.example.com", &[]),
        ("help.example.com/faq?topic=fees", &[]),
        ("HTTPS://Help.Example.COM/", &[]),
        ("email me at alice@gmail.com", &[]),
        ("e.g. a deposit, i.e. money in", &[]),
        ("I attached receipt.pdf and file.txt", &[]),
        ("version 1.2.3 of the app", &[]),
        ("I paid 500.25 USDT", &[]),
        ("is it Node.js?", &[]),
        ("please help.me and contact.us", &[]),
        ("t.me/examplesupport_vip", &[UnofficialLink]),
    ]);
}

#[test]
fn mixed_messages() {
    check(&[
        (
            "my deposit of 500 USDT (TxID 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060) is \
             missing, 2FA code 123456",
            &[OtpCode],
        ),
        ("password: hunter22! and 2FA 123456", &[Password, OtpCode]),
        (
            "go to https://evil.io and type abandon abandon abandon abandon abandon abandon abandon abandon abandon \
             abandon abandon about",
            &[UnofficialLink, SeedPhrase],
        ),
        ("my one-time password is 123456", &[OtpCode]),
        ("password: 5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", &[PrivateKey]),
        (
            "充值 500 USDT 没到账，TxID a90e3b855b871337deb0a0df3bc5618216df0064badc23a9a03f999ed1a7ce97，UID 12345678",
            &[],
        ),
        ("", &[]),
        ("   \n\t ", &[]),
        ("🙂🙂🙂 help!!!", &[]),
    ]);
}

#[test]
fn findings_are_byte_ranges_of_the_secret() {
    let guard = Guard::new(&["example.com"]);
    let text = "验证码是 123456，密码：Abc@2024";
    let findings = guard.scan(text);
    let secrets: Vec<&str> = findings.iter().map(|f| &text[f.start..f.end]).collect();
    assert_eq!(secrets, ["123456", "Abc@2024"]);

    let text = "1. cat 2. swing 3. flag 4. economy 5. stadium 6. alone 7. churn 8. speed 9. unique 10. patch \
                11. report 12. train.";
    let f = &guard.scan(text)[0];
    assert_eq!(&text[f.start..f.end], &text[3..text.len() - 1]);

    let text = "visit https://evil.io/x, then";
    assert_eq!(guard.scan(text), [Finding { kind: UnofficialLink, start: 6, end: 23 }]);
}

#[test]
fn redaction_hides_blocking_findings_only() {
    let guard = Guard::new(&["example.com"]);
    let text = "see https://evil.io — my password is hunter22! and 验证码是１２３４５６";
    let findings = guard.scan(text);
    assert!(blocks(&findings));
    assert_eq!(
        redact(text, &findings),
        "see https://evil.io — my password is [hidden: password] and 验证码是[hidden: otp_code]"
    );
    let links_only = guard.scan("see https://evil.io");
    assert!(!blocks(&links_only));
    assert_eq!(redact("see https://evil.io", &links_only), "see https://evil.io");
    // A range past the end hides what it can rather than panicking.
    assert_eq!(redact("ab", &[Finding { kind: Password, start: 1, end: 9 }]), "a[hidden: password]");
    assert_eq!(redact("ab", &[Finding { kind: Password, start: 5, end: 9 }]), "ab");
}

#[test]
fn hiding_scans_again_until_no_secret_is_left() {
    let guard = Guard::new(&["example.com"]);
    // Hiding hunter22 leaves "password is password": the second is a value
    // then (found by the guard fuzzer).
    let text = "my password is password hunter22";
    let once = redact(text, &guard.scan(text));
    assert!(blocks(&guard.scan(&once)), "{once}");
    let hidden = guard.hide(text).unwrap();
    assert!(!blocks(&guard.scan(&hidden)), "{hidden}");
    assert_eq!(hidden, "my password is [hidden: password] [hidden: password]");
    assert_eq!(guard.hide("thanks, it arrived"), None);
}

#[test]
fn official_domains_are_normalised() {
    let guard = Guard::new(&[" HTTPS://Example.com/help ", "*.example.org", "", "t.me"]);
    for text in ["https://help.example.com/x", "www.example.org", "t.me/example_support", "https://example.com:443/"] {
        assert!(guard.scan(text).is_empty(), "{text}");
    }
    assert!(!guard.scan("https://example.net").is_empty());
    assert!(!Guard::default().scan("https://example.com").is_empty(), "no official domain: every link warns");
}

#[test]
fn every_kind_names_and_explains_itself() {
    for kind in [SeedPhrase, PrivateKey, ApiSecret, Password, OtpCode, UnofficialLink] {
        assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
        assert_eq!(kind.blocks(), kind != UnofficialLink);
        for locale in Locale::ALL {
            assert!(kind.explain(locale).len() > 20, "{kind:?} {locale}");
        }
    }
    assert!(super::anti_phishing_note(Locale::En).contains("never"));
    assert!(super::anti_phishing_note(Locale::ZhCn).contains("绝不会"));
}

#[test]
fn the_compact_lists_are_the_official_ones() {
    let official: Vec<&str> = include_str!("bip39-english.txt").lines().collect();
    let decoded: Vec<&str> = super::seed::english().iter().map(|w| &**w).collect();
    assert_eq!(decoded, official);
    assert_eq!(include_str!("bip39-chinese-simplified.txt").trim_end().chars().count(), 2048);
}

#[test]
fn checksums() {
    let idx = |words: &str| -> Vec<u16> {
        let list = super::seed::english();
        words.split(' ').map(|w| list.iter().position(|l| &**l == w).unwrap() as u16).collect()
    };
    assert!(super::seed::checksum_ok(&idx(
        "legal winner thank year wave sausage worth useful legal winner thank yellow"
    )));
    assert!(!super::seed::checksum_ok(&idx(
        "legal winner thank year wave sausage worth useful legal winner thank year"
    )));
    assert_eq!(super::seed::chinese_index('的'), Some(0));
    assert_eq!(super::seed::chinese_index('歇'), Some(2047));
    assert_eq!(super::seed::chinese_index('a'), None);
}

#[test]
fn a_long_paste_is_scanned_whole() {
    // Thousands of findings and labels: the scan stays linear.
    let guard = Guard::new(&["example.com"]);
    let text = "password:password: my 2FA code is 123456. 助记词助记词 ".repeat(2000);
    let findings = guard.scan(&text);
    assert_eq!(findings.len(), 2000);
    assert!(findings.iter().all(|f| f.kind == OtpCode && &text[f.start..f.end] == "123456"));
    assert!(findings.windows(2).all(|w| w[0].end <= w[1].start));
}
