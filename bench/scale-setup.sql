-- What bench/scale needs of the generated catalog (bench/generate-catalog.ts) beyond the search
-- rows: the organisation (its fonds number heads an inventory), the departments the dossiers name,
-- and an acceptance act for every transfer (an inventory lists accepted dossiers only, App. 30/33).
-- Idempotent: added to an existing bench database rather than generating it again (22 min);
-- a transfer added later (the dossier view's, bench/scale.ts) gets the next act number.
INSERT INTO organisation (name_kk, name_ru, bin, fonds_number)
SELECT 'Сынақ мекемесі', 'Тестовое учреждение', '990000000001', '12'
WHERE NOT EXISTS (SELECT 1 FROM organisation);

INSERT INTO departments (code, name_kk, name_ru)
SELECT DISTINCT d.department, 'Бөлім ' || d.department, 'Отдел ' || d.department
FROM transfers d WHERE d.department ~ '^[0-9]{2,3}$'
ON CONFLICT (code) DO NOTHING;

INSERT INTO acceptance_acts (number, act_year, transfer_id, department, records_years, handed_over, accepted, state_of_documents, rows, totals)
SELECT (SELECT greatest(coalesce(max(number), 0), 100000) FROM acceptance_acts WHERE act_year = 2026) + row_number() OVER (ORDER BY t.id), 2026, t.id, t.department, coalesce(t.year::text, ''),
       '{"name": "Бенч", "position": "делопроизводитель"}', '{"name": "Бенч", "position": "архивист"}', 'хорошее', '[]', '{}'
FROM transfers t
WHERE t.status = 'completed' AND NOT EXISTS (SELECT 1 FROM acceptance_acts a WHERE a.transfer_id = t.id);

INSERT INTO transfer_acceptances (transfer_id, decision, act_id, decided_by_name)
SELECT a.transfer_id, 'accepted', a.id, 'bench'
FROM acceptance_acts a
WHERE NOT EXISTS (SELECT 1 FROM transfer_acceptances x WHERE x.transfer_id = a.transfer_id);
